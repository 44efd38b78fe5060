"""Admins managing staff accounts: create, edit role and units, reset, (de)activate.

An admin scoped to part of the unit tree manages only the accounts whose units all lie in it,
and gives units only from it: never an account of the whole installation (an admin or viewer
with no unit), so never a wider scope than its own (docs/units.md).
"""

from __future__ import annotations

from sqlalchemy import Select, exists, select

from ...auth import is_unscoped, visible_unit_ids
from ...errors import DomainError
from ...extensions import db
from ...models import Role, Unit, User, user_unit
from ...support.text import clean_text
from ..audit import audit
from .accounts import create_user, generate_password, set_password


def user_snapshot(user: User) -> dict:
    return {"username": user.username, "full_name": user.full_name, "role": user.role.value,
            "units": [unit.code for unit in user.units], "active": user.active}


OUTSIDE_SCOPE = "Tài khoản này nằm ngoài phạm vi quản lý của anh/chị."


def manages_account(user: User, actor: User | None) -> bool:
    """Whether ``actor`` may change ``user``: an admin of the whole installation (or the
    command line) any account; a scoped admin those whose units all lie in its subtree."""
    if actor is None or is_unscoped(actor):
        return True
    allowed = visible_unit_ids(actor) or set()
    return actor.role is Role.ADMIN and bool(user.units) \
        and all(unit.id in allowed for unit in user.units)


def managed_accounts(query: Select, actor: User) -> Select:
    """``query`` of accounts limited to those ``actor`` manages (see ``manages_account``)."""
    if is_unscoped(actor):
        return query
    if actor.role is not Role.ADMIN:
        return query.where(False)
    allowed = visible_unit_ids(actor) or set()
    has_unit = exists().where(user_unit.c.user_id == User.id)
    outside = exists().where(user_unit.c.user_id == User.id,
                             user_unit.c.unit_id.not_in(allowed))
    return query.where(has_unit, ~outside)


def require_manages(user: User, actor: User | None) -> None:
    if not manages_account(user, actor):
        raise DomainError(OUTSIDE_SCOPE)


def _units(unit_ids: list[int], role: Role, actor: User | None) -> list[Unit]:
    """The account's units: required for unit staff; for an admin or viewer, none means the
    whole installation, which only an admin of the whole installation may give."""
    units = list(db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids))))
    if role is Role.UNIT_STAFF and not units:
        raise DomainError("Cán bộ đơn vị phải được gán ít nhất một đơn vị.")
    if actor is None or is_unscoped(actor):
        return units
    allowed = visible_unit_ids(actor) or set()
    outside = [unit.name for unit in units if unit.id not in allowed]
    if outside:
        raise DomainError("Chỉ được gán đơn vị thuộc phạm vi quản lý của anh/chị; ngoài phạm "
                          "vi: " + ", ".join(outside) + ".")
    if not units:
        raise DomainError("Chỉ quản trị toàn hệ thống mới cấp được quyền trên mọi đơn vị; hãy "
                          "chọn ít nhất một đơn vị thuộc phạm vi của anh/chị.")
    return units


def create_account(username: str, full_name: str, role: Role, unit_ids: list[int], *,
                   actor: User | None, note: str | None = None) -> tuple[User, str]:
    """A new account with a generated password to show once (caller commits)."""
    user, password = create_user(username, full_name, role, _units(unit_ids, role, actor))
    db.session.flush()
    audit.record("user.create", user=actor, object_type="user", object_id=user.username,
                 after=user_snapshot(user), note=note)
    return user, password


def update_account(user: User, acting: User, full_name: str, role: Role,
                   unit_ids: list[int]) -> None:
    """Change an account's name, role and units (caller commits)."""
    require_manages(user, acting)
    if user.id == acting.id and role is not Role.ADMIN:
        raise DomainError("Không thể tự bỏ quyền quản trị của chính mình.")
    before = user_snapshot(user)
    user.full_name = clean_text(full_name) or user.username
    user.units = _units(unit_ids, role, acting)
    if user.role is not role:
        user.end_sessions()  # the next page is served with the new role only after login
    user.role = role
    audit.record("user.update", user=acting, object_type="user", object_id=user.username,
                 before=before, after=user_snapshot(user))


def reset_password(user: User, *, actor: User | None, note: str | None = None) -> str:
    """A new generated password (shown once), to be changed at the next login."""
    require_manages(user, actor)
    password = generate_password()
    set_password(user, password)
    user.must_change_password = True
    audit.record("user.reset_password", user=actor, object_type="user",
                 object_id=user.username, note=note)
    return password


def set_active(user: User, acting: User, active: bool) -> None:
    """Deactivate (every session ends at once) or reactivate an account."""
    require_manages(user, acting)
    if user.id == acting.id and not active:
        raise DomainError("Không thể tự khóa tài khoản của chính mình.")
    if user.active == active:
        return
    user.active = active
    user.end_sessions()
    audit.record("user.activate" if active else "user.deactivate", user=acting,
                 object_type="user",
                 object_id=user.username, before={"active": not active},
                 after={"active": active})
