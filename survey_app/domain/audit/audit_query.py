"""Reading the audit log back: filters and pages for the admins' viewer."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, String, and_, cast, func, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement

from ...extensions import db
from ...models import AuditEvent, Counter, Response, SheetBatch, Unit
from ...support.dates import local_zone
from ...support.formatting import seconds_text
from .actions import action_name, changes, object_text

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilter:
    """What the viewer is narrowed to; None means any."""

    user_id: int | None = None
    unit_id: int | None = None
    action: str | None = None
    object_type: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    #: Only events by these accounts (a scoped admin: the accounts it manages); None: any.
    actor_ids: frozenset[int] | None = None


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    page: int
    pages: int
    total: int


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=local_zone())


def _filtered(query: Select, wanted: AuditFilter) -> Select:
    if wanted.actor_ids is not None:
        query = query.where(AuditEvent.user_id.in_(wanted.actor_ids))
    if wanted.user_id is not None:
        query = query.where(AuditEvent.user_id == wanted.user_id)
    if wanted.unit_id is not None:
        query = query.where(_about_unit(wanted.unit_id))
    if wanted.action:
        query = query.where(AuditEvent.action == wanted.action)
    if wanted.object_type:
        query = query.where(AuditEvent.object_type == wanted.object_type)
    if wanted.date_from:
        query = query.where(AuditEvent.at >= _start_of(wanted.date_from))
    if wanted.date_to:
        query = query.where(AuditEvent.at < _start_of(wanted.date_to + timedelta(days=1)))
    return query


def _about_unit(unit_id: int) -> ColumnElement[bool]:
    """Events about the unit itself, its counters, its sheet batches and its responses."""
    def ids(column: Any, where: Any) -> Any:
        return select(cast(column, String)).where(where).scalar_subquery()

    code = select(Unit.code).where(Unit.id == unit_id).scalar_subquery()
    return or_(
        and_(AuditEvent.object_type == "unit", AuditEvent.object_id == code),
        and_(AuditEvent.object_type == "counter",
             AuditEvent.object_id.in_(ids(Counter.id, Counter.unit_id == unit_id))),
        and_(AuditEvent.object_type == "sheet_batch",
             AuditEvent.object_id.in_(ids(SheetBatch.id, SheetBatch.unit_id == unit_id))),
        and_(AuditEvent.object_type == "response",
             AuditEvent.object_id.in_(ids(Response.id, Response.unit_id == unit_id))),
    )


def audit_page(wanted: AuditFilter, page: int) -> AuditPage:
    """One page of events matching ``wanted``, newest first."""
    total = db.session.scalar(_filtered(select(func.count()).select_from(AuditEvent), wanted))
    pages = max(1, -(-int(total or 0) // PAGE_SIZE))
    page = min(max(1, page), pages)
    query = _filtered(select(AuditEvent).options(selectinload(AuditEvent.user)), wanted)
    query = query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    events = list(db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return AuditPage(events=events, page=page, pages=pages, total=int(total or 0))


def audit_rows(wanted: AuditFilter) -> Iterator[tuple[str, ...]]:
    """Header, then every matching event in words, newest first (the CSV download)."""
    yield ("Thời điểm", "Người thực hiện", "Thao tác", "Đối tượng", "Thay đổi", "Ghi chú",
           "Mã thao tác")
    query = _filtered(select(AuditEvent).options(selectinload(AuditEvent.user)), wanted)
    query = query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    for event in db.session.scalars(query.execution_options(yield_per=500)):
        changed = "; ".join(f"{row.field}: {row.before} → {row.after}" if row.before
                            else f"{row.field}: {row.after}"
                            for row in changes(event.before, event.after))
        yield (seconds_text(event.at), event.user.username if event.user else "",
               action_name(event.action), object_text(event.object_type, event.object_id),
               changed, event.note or "", event.action)


def known_values() -> tuple[list[str], list[str]]:
    """The actions and object types present in the log, for the filter lists."""
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    types = db.session.scalars(select(AuditEvent.object_type).distinct().where(
        AuditEvent.object_type.is_not(None)).order_by(AuditEvent.object_type))
    return list(actions), list(types)


def local_time(moment: datetime) -> str:
    """``dd/mm/yyyy HH:MM:SS`` in the district's time zone."""
    return seconds_text(moment)
