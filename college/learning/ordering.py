"""Moving an item of an ordered list (modules, questions, choices) one place up or down."""

from __future__ import annotations

from flask_babel import gettext as _

from college.errors import Invalid, NotFound


def move(items: list, item_id: int, direction: str) -> bool:
    """Swap an item with its neighbour and renumber positions; False when it cannot move."""
    if direction not in ("up", "down"):
        raise Invalid(_("Choose up or down."), field="direction")
    index = next((i for i, item in enumerate(items) if item.id == item_id), None)
    if index is None:
        raise NotFound(_("This item is not part of the list."))
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        return False
    items[index], items[other] = items[other], items[index]
    for position, item in enumerate(items):
        item.position = position
    return True
