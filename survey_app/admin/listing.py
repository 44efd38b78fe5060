"""Long admin lists (units, accounts): searched by ``?q=`` and shown 50 rows a page."""

from __future__ import annotations

from collections.abc import Sequence
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


def listing(statement: Select, searched: Sequence[Any]) -> Listing:
    """One page of ``statement``'s rows whose ``searched`` columns contain ``?q=`` (any case),
    ``?page=`` of them."""
    query = " ".join(request.args.get("q", "").split())[:QUERY_LENGTH].replace("\x00", "")
    if query:
        needle = f"%{_escaped(query)}%"
        statement = statement.where(or_(*(column.ilike(needle, escape="\\")
                                          for column in searched)))
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, request.args.get("page", 1, type=int) or 1), pages)
    rows = list(db.session.scalars(statement.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return Listing(rows=rows, query=query, page=page, pages=pages, total=total)
