"""Portable SQL expressions the dashboards need (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class year_month(FunctionElement):
    """'YYYY-MM' of a timestamp column (in Brussels on PostgreSQL, in UTC on SQLite)."""

    type = String()
    inherit_cache = True
    name = "year_month"


@compiles(year_month, "postgresql")
def _year_month_pg(element, compiler, **kw):
    (column,) = list(element.clauses)
    return f"to_char(({compiler.process(column, **kw)}) AT TIME ZONE 'Europe/Brussels', 'YYYY-MM')"


@compiles(year_month)
def _year_month_default(element, compiler, **kw):
    (column,) = list(element.clauses)
    return f"strftime('%Y-%m', {compiler.process(column, **kw)})"
