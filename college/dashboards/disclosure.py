"""The minimum group size: figures read by people outside an organiser say nothing about fewer
than five people.

One home for the rule, for every page, CSV, PDF and API (dashboards, regions, referrals,
evaluation and burden reports). A count of one to four people is withheld (shown as "fewer than 5"),
and so is a rate whose people are too few. Where cells add up to a total that stays shown,
withholding one cell alone would let a reader subtract it back, so the smallest other cell
goes too ("secondary suppression").
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping

MIN_GROUP_SIZE = 5


def too_few(count: int) -> bool:
    """Does this count of people name fewer than the minimum group (zero names nobody)?"""
    return 0 < count < MIN_GROUP_SIZE


def too_few_to_describe(people: int) -> bool:
    """Is a figure that describes people's answers (a mean, a share, a change) withheld? It
    needs the minimum group; no people at all describe nothing ("too few answers")."""
    return people < MIN_GROUP_SIZE


def withhold(cells: Mapping[Hashable, int],
             hidden_already: Collection[Hashable] = ()) -> dict[Hashable, int | None]:
    """Cells that add up to a shown total, with the too-small ones (None) withheld, plus the
    smallest other non-zero cell when only one would be, so none can be subtracted back.
    `hidden_already`: cells withheld for another reason (their whole group is too small)."""
    shown: dict[Hashable, int | None] = {
        key: None if key in hidden_already or too_few(count) else count
        for key, count in cells.items()}
    hidden = [key for key, value in shown.items() if value is None]
    if len(hidden) == 1:
        others = sorted((count, str(key), key) for key, count in cells.items()
                        if key not in hidden and count > 0)
        if others:
            shown[others[0][2]] = None
    return shown
