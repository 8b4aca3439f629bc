"""The minimum group size: no figure is shown about fewer people than this.

One home for the rule, for every page, CSV, PDF and API that reports about people's answers.
"""

from __future__ import annotations

#: A figure about fewer people than this is replaced by "too few answers".
MINIMUM_GROUP = 5


def too_few(people: int) -> bool:
    """Is a figure about this many people withheld?"""
    return people < MINIMUM_GROUP
