"""One transaction per use case: the request, the job or the command commits, once.

Services change rows and flush; they never commit or roll back. The surface that ran them
decides: a page or API request commits when its answer is a success (below 400) and rolls
back everything otherwise, so a refused change changes nothing; a job or a command commits
when it returns (`unit_of_work`). Rows that record what a refused request showed (the access
log of a roster shown again with the error next to its form) are kept: `keep_if_refused`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps

from flask import Flask, Response
from sqlalchemy import Table

from college.extensions import db


def keep_if_refused(table: Table, rows: list[dict]) -> None:
    """Rows just inserted that must stay even when the request's change is refused and undone."""
    db.session.info.setdefault("kept_if_refused", []).append((table, rows))


def finish_request(response: Response) -> Response:
    """Commit the request's unit of work after a success; roll it back after a refusal or error."""
    kept = db.session.info.pop("kept_if_refused", [])
    if response.status_code < 400:
        db.session.commit()
        return response
    db.session.rollback()
    if kept:
        for table, rows in kept:
            db.session.execute(table.insert(), rows)
        db.session.commit()
    return response


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commands and jobs: commit when the block ends, roll everything back when it raises."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def committed(function: Callable) -> Callable:
    """Run a job or command function as one unit of work."""

    @wraps(function)
    def run(*args, **kwargs):
        with unit_of_work():
            return function(*args, **kwargs)

    return run


def init_app(app: Flask) -> None:
    """Close every request's unit of work before its answer leaves."""
    app.after_request(finish_request)
