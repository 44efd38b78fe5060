"""Admins managing staff accounts: create, edit role and units, reset, (de)activate."""

from __future__ import annotations

from sqlalchemy import select

from ...errors import DomainError
from ...extensions import db
from ...models import Role, Unit, User
from ...support.text import clean_text
from ..audit import audit
from .accounts import create_user, generate_password, set_password


def user_snapshot(user: User) -> dict:
    return {"username": user.username, "full_name": user.full_name, "role": user.role.value,
            "units": [unit.code for unit in user.units], "active": user.active}


def _units(unit_ids: list[int], role: Role) -> list[Unit]:
    if role is not Role.UNIT_STAFF:
        return []  # admins and viewers see every unit; a list would only mislead
    units = list(db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids))))
    if not units:
        raise DomainError("Cán bộ đơn vị phải được gán ít nhất một đơn vị.")
    return units


def create_account(username: str, full_name: str, role: Role, unit_ids: list[int], *,
                   actor: User | None, note: str | None = None) -> tuple[User, str]:
    """A new account with a generated password to show once (caller commits)."""
    user, password = create_user(username, full_name, role, _units(unit_ids, role))
    db.session.flush()
    audit.record("user.create", user=actor, object_type="user", object_id=user.username,
                 after=user_snapshot(user), note=note)
    return user, password


def update_account(user: User, acting: User, full_name: str, role: Role,
                   unit_ids: list[int]) -> None:
    """Change an account's name, role and units (caller commits)."""
    if user.id == acting.id and role is not Role.ADMIN:
        raise DomainError("Không thể tự bỏ quyền quản trị của chính mình.")
    before = user_snapshot(user)
    user.full_name = clean_text(full_name) or user.username
    user.units = _units(unit_ids, role)
    if user.role is not role:
        user.end_sessions()  # the next page is served with the new role only after login
    user.role = role
    audit.record("user.update", user=acting, object_type="user", object_id=user.username,
                 before=before, after=user_snapshot(user))


def reset_password(user: User, *, actor: User | None, note: str | None = None) -> str:
    """A new generated password (shown once), to be changed at the next login."""
    password = generate_password()
    set_password(user, password)
    user.must_change_password = True
    audit.record("user.reset_password", user=actor, object_type="user",
                 object_id=user.username, note=note)
    return password


def set_active(user: User, acting: User, active: bool) -> None:
    """Deactivate (every session ends at once) or reactivate an account."""
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
