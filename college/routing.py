"""Numbers in page addresses: `<int:...>` takes only what a row id can be.

PostgreSQL's INTEGER holds up to 2**31 - 1; a larger number in an address (`/courses/99999999999`)
made the database refuse the query, a 500. Every `<int:...>` of the College is a row id or a
small number (a question's place, a status list's number), so a larger one matches no route
and is simply not found.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

#: Ids are positive and fit PostgreSQL's INTEGER; larger ones can name nothing.
MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    def __init__(self, url_map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = MAX_ID) -> None:  # noqa: A002 (Werkzeug's names)
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max)


def init_app(app: Flask) -> None:
    """Before any blueprint registers its rules."""
    app.url_map.converters["int"] = BoundedIntegerConverter
