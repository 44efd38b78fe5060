"""The staff menu: one list of (endpoint, label, roles), shown to those it applies to.

Entries whose endpoint is not registered are left out, so a page appears in the menu as
soon as its view exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app
from flask_login import current_user

from .models import Role

STAFF = (Role.ADMIN, Role.UNIT_STAFF)
EVERYONE = (Role.ADMIN, Role.UNIT_STAFF, Role.VIEWER)


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    roles: tuple[Role, ...]


MENU: tuple[NavItem, ...] = (
    NavItem("staff.progress", "Tiến độ", STAFF),
    NavItem("staff.entry", "Nhập phiếu giấy", STAFF),
    NavItem("staff.batches", "In phiếu", STAFF),
    NavItem("staff.posters", "Áp phích QR", STAFF),
    NavItem("staff.flagged", "Phiếu cần xem xét", STAFF),
    NavItem("results.index", "Kết quả", EVERYONE),
    NavItem("admin.units", "Đơn vị", (Role.ADMIN,)),
    NavItem("admin.campaigns", "Đợt khảo sát", (Role.ADMIN,)),
    NavItem("admin.users", "Tài khoản", (Role.ADMIN,)),
    NavItem("admin.audit", "Nhật ký", (Role.ADMIN,)),
)


def staff_menu() -> list[NavItem]:
    """The menu items the current user may open."""
    if not current_user.is_authenticated:
        return []
    views = current_app.view_functions
    return [item for item in MENU if item.endpoint in views and current_user.role in item.roles]


def init_app(app: Flask) -> None:
    # base.html asks current_app which optional pages (change password, logout) exist.
    app.context_processor(lambda: {"staff_menu": staff_menu, "current_app": current_app})
