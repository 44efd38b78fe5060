"""Long admin lists (units, accounts): searched by ``?q=`` and shown 50 rows a page."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import Select, func, or_, select

from ..extensions import db

PAGE_SIZE = 50
#: Longest search text read from the address.
QUERY_LENGTH = 100


@dataclass(frozen=True)
class Listing:
    rows: list[Any]
    query: str
    page: int
    pages: int
    total: int


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _searched(statement: Select, searched: Sequence[Any]) -> tuple[Select, str]:
    query = " ".join(request.args.get("q", "").split())[:QUERY_LENGTH].replace("\x00", "")
    if query:
        needle = f"%{_escaped(query)}%"
        statement = statement.where(or_(*(column.ilike(needle, escape="\\")
                                          for column in searched)))
    return statement, query


def _page(pages: int) -> int:
    return min(max(1, request.args.get("page", 1, type=int) or 1), pages)


def listing_in_order(statement: Select, searched: Sequence[Any],
                     order: Callable[[Iterable[Any]], list[Any]]) -> Listing:
    """Like ``listing``, for rows put in an order SQL cannot give (the unit tree): every
    matching row is read (a few thousand at most), ordered by ``order``, then paged."""
    statement, query = _searched(statement, searched)
    rows = order(db.session.scalars(statement))
    total = len(rows)
    pages = max(1, -(-total // PAGE_SIZE))
    page = _page(pages)
    return Listing(rows=rows[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], query=query, page=page,
                   pages=pages, total=total)


def listing(statement: Select, searched: Sequence[Any]) -> Listing:
    """One page of ``statement``'s rows whose ``searched`` columns contain ``?q=`` (any case),
    ``?page=`` of them."""
    statement, query = _searched(statement, searched)
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = _page(pages)
    rows = list(db.session.scalars(statement.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return Listing(rows=rows, query=query, page=page, pages=pages, total=total)
