"""API views of units: those the account may see, with their counters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Unit
from . import access
from .blueprint import bp, problems
from .schemas import SinceArgs, UnitListSchema, UnitSchema
from .timing import as_of, since_utc


def _unit_item(unit: Unit) -> dict[str, Any]:
    return {
        "code": unit.code, "name": unit.name, "kind": unit.kind.value,
        "parent_code": unit.parent.code if unit.parent is not None else None,
        "active": unit.is_active,
        "field_codes": list(unit.field_codes) if unit.field_codes is not None else None,
        "created_at": unit.created_at,
        "counters": [{"id": counter.id, "name": counter.name, "kiosk": counter.kiosk,
                      "active": counter.is_active} for counter in unit.counters],
    }


@bp.arguments(SinceArgs, location="query")
@bp.response(200, UnitListSchema)
@problems(422)
def units(args: dict[str, Any]):
    """Units the account may see

    Every unit for admins and viewers, one's own for unit staff, by code. With `since`:
    only units created after that moment.
    """
    moment = as_of()
    query = select(Unit).options(selectinload(Unit.counters), selectinload(Unit.parent))
    visible = access.visible_units()
    if visible is not None:
        query = query.where(Unit.id.in_(visible))
    since = since_utc(args["since"])
    if since is not None:
        query = query.where(Unit.created_at > since)
    return {"as_of": moment,
            "items": [_unit_item(unit) for unit in db.session.scalars(query.order_by(Unit.code))]}


@bp.response(200, UnitSchema)
@problems(403, 404)
def unit(code: str):
    """One unit with its counters"""
    return _unit_item(access.unit(code))
