"""Who is logged in, and what they may see: authorization lives here and nowhere else.

Every account sees a part of the unit tree (docs/units.md):

- ``admin`` with no unit (the installation's administrators): every unit; with units (a
  province's Sở Nội vụ assigned to the province, a commune's admin to its commune): those
  units and every unit below them, and only there may they change units, counters, accounts
  and campaigns (``manages_unit``, ``manages_campaign``).
- ``viewer``: reads results, changes nothing; with no unit everything, else its subtree.
- ``unit_staff``: the units assigned to them and the units below them (a commune's staff
  also work for its divisions).

Views declare the roles they accept with ``roles_required`` and scope every query that
touches unit data with ``scope_to_units`` (or check one unit with ``require_unit``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort
from flask_login import current_user
from sqlalchemy import Select, select

from .extensions import db, login_manager
from .models import Campaign, Role, Unit, User
from .unit_tree import subtree_ids

F = TypeVar("F", bound=Callable[..., Any])
ALL_STAFF = (Role.ADMIN, Role.UNIT_STAFF, Role.VIEWER)
#: Those who do the survey work of units: print, type sheets, follow progress, review flags.
UNIT_WORK = (Role.ADMIN, Role.UNIT_STAFF)


def init_app(app: Flask) -> None:
    login_manager.login_view = "staff.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user whose id and current session token match; None after logout elsewhere."""
    user_id, _, token = session_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit()) or not token:
        return None
    user = db.session.scalar(select(User).where(User.id == int(user_id)))
    if user is None or user.session_token != token or not user.active:
        return None
    return user


def acting_user() -> User:
    """The signed-in user as a model object, to name as the actor of a change."""
    return current_user._get_current_object()


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Refuse anonymous visitors (to the login page) and other roles (403)."""
    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return guarded  # type: ignore[return-value]
    return decorate


def is_unscoped(user: User) -> bool:
    """An admin or viewer with no unit: the whole installation."""
    return user.role in (Role.ADMIN, Role.VIEWER) and not user.units


def visible_unit_ids(user: User) -> set[int] | None:
    """Ids of the units ``user`` may see (their units and every unit below them); None
    means every unit."""
    if is_unscoped(user):
        return None
    return subtree_ids(unit.id for unit in user.units)


def manages_unit(unit_id: int | None, user: User) -> bool:
    """Whether the admin ``user`` may change unit ``unit_id`` and what hangs on it (None: the
    top of the tree, which only an unscoped admin manages)."""
    if user.role is not Role.ADMIN:
        return False
    allowed = visible_unit_ids(user)
    return allowed is None or (unit_id is not None and unit_id in allowed)


def manages_campaign(campaign: Campaign, user: User) -> bool:
    """Whether the admin ``user`` may change ``campaign``: its organiser is in their scope."""
    return manages_unit(campaign.organiser_id, user)


def scope_to_units(query: Select, unit_id_column: Any, user: User | None = None) -> Select:
    """``query`` restricted to rows of the units the user may see."""
    allowed = visible_unit_ids(user or current_user)
    if allowed is None:
        return query
    return query.where(unit_id_column.in_(allowed))


def can_see_unit(unit_id: int, user: User | None = None) -> bool:
    allowed = visible_unit_ids(user or current_user)
    return allowed is None or unit_id in allowed


def require_unit(unit_id: int) -> Unit:
    """The unit if the current user may see it; 404 if it does not exist, else 403."""
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404)
    if not can_see_unit(unit.id):
        abort(403)
    return unit
