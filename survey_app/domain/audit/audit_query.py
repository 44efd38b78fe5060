"""Reading the audit log back: filters and pages for the admins' viewer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import AuditEvent
from ...support.dates import local_zone
from ...support.formatting import seconds_text

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilter:
    """What the viewer is narrowed to; None means any."""

    user_id: int | None = None
    action: str | None = None
    object_type: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    page: int
    pages: int
    total: int


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=local_zone())


def _filtered(query: Select, wanted: AuditFilter) -> Select:
    if wanted.user_id is not None:
        query = query.where(AuditEvent.user_id == wanted.user_id)
    if wanted.action:
        query = query.where(AuditEvent.action == wanted.action)
    if wanted.object_type:
        query = query.where(AuditEvent.object_type == wanted.object_type)
    if wanted.date_from:
        query = query.where(AuditEvent.at >= _start_of(wanted.date_from))
    if wanted.date_to:
        query = query.where(AuditEvent.at < _start_of(wanted.date_to + timedelta(days=1)))
    return query


def audit_page(wanted: AuditFilter, page: int) -> AuditPage:
    """One page of events matching ``wanted``, newest first."""
    total = db.session.scalar(_filtered(select(func.count()).select_from(AuditEvent), wanted))
    pages = max(1, -(-int(total or 0) // PAGE_SIZE))
    page = min(max(1, page), pages)
    query = _filtered(select(AuditEvent).options(selectinload(AuditEvent.user)), wanted)
    query = query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    events = list(db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return AuditPage(events=events, page=page, pages=pages, total=int(total or 0))


def known_values() -> tuple[list[str], list[str]]:
    """The actions and object types present in the log, for the filter lists."""
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    types = db.session.scalars(select(AuditEvent.object_type).distinct().where(
        AuditEvent.object_type.is_not(None)).order_by(AuditEvent.object_type))
    return list(actions), list(types)


def as_json(value: Any) -> str:
    """Readable JSON of a before/after value (escaped by the template, never marked safe)."""
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1)


def local_time(moment: datetime) -> str:
    """``dd/mm/yyyy HH:MM:SS`` in the district's time zone."""
    return seconds_text(moment)
