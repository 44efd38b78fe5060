"""Loading one object for a staff view: 404 when it does not exist, 403 outside the user's units."""

from __future__ import annotations

from typing import TypeVar

from flask import abort

from ..auth import require_unit
from ..extensions import db

T = TypeVar("T")


def get_in_scope(model: type[T], object_id: int, unit_of=lambda obj: obj.unit_id) -> T:
    """The object if it exists and belongs to a unit the current user may see."""
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    require_unit(unit_of(obj))
    return obj
