"""What every administration view shares: the admin-only guard, the admin's part of the unit
tree, and making a change."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import abort
from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError

from ..auth import acting_user, manages_campaign, manages_unit, roles_required, scope_to_units
from ..database import write_transaction
from ..errors import DomainError
from ..extensions import db
from ..models import Campaign, Role, Unit, User

admin_only = roles_required(Role.ADMIN)

CONFLICT = ("Dữ liệu vừa bị người khác thay đổi (ví dụ mã đã được dùng). Vui lòng tải lại trang "
            "và thử lại.")


def in_scope(query: Select, unit_id_column: Any) -> Select:
    """``query`` limited to the units of the signed-in admin's part of the tree."""
    return scope_to_units(query, unit_id_column, acting_user())


def managed_unit(unit_id: int) -> Unit:
    """The unit if the signed-in admin manages it; 404 if there is none, 403 outside the
    admin's part of the tree."""
    unit = db.get_or_404(Unit, unit_id)
    if not manages_unit(unit.id, acting_user()):
        abort(403)
    return unit


def managed_campaign(campaign_id: int) -> Campaign:
    """The campaign if the signed-in admin manages it (its organiser in the admin's part of
    the tree); 404 if there is none, 403 outside."""
    campaign = db.get_or_404(Campaign, campaign_id)
    if not manages_campaign(campaign, acting_user()):
        abort(403)
    return campaign


@dataclass
class Change:
    """One administrative change: who makes it, and why it was refused (None: it was made)."""

    actor: User
    refusal: str | None = None


@contextmanager
def admin_change() -> Iterator[Change]:
    """The block's writes and audit events in one transaction by the signed-in admin.

    A refusal (``DomainError``) or a clash with a concurrent change rolls everything back
    and is kept in ``change.refusal`` for the page, instead of propagating.
    """
    change = Change(actor=acting_user())
    try:
        with write_transaction():
            yield change
    except DomainError as error:
        change.refusal = str(error)
    except IntegrityError:
        change.refusal = CONFLICT
