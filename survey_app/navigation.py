"""The staff menu: one list of (endpoint, label, roles), shown to those it applies to."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from flask_login import current_user

from .auth import ALL_STAFF, UNIT_WORK
from .models import Role


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    roles: tuple[Role, ...]


MENU: tuple[NavItem, ...] = (
    NavItem("staff.progress", "Tiến độ", UNIT_WORK),
    NavItem("staff.entry", "Nhập phiếu giấy", UNIT_WORK),
    NavItem("staff.batches", "In phiếu", UNIT_WORK),
    NavItem("staff.posters", "Áp phích QR", UNIT_WORK),
    NavItem("staff.flagged", "Phiếu cần xem xét", UNIT_WORK),
    NavItem("results.index", "Kết quả", ALL_STAFF),
    NavItem("admin.units", "Đơn vị", (Role.ADMIN,)),
    NavItem("admin.campaigns", "Đợt khảo sát", (Role.ADMIN,)),
    NavItem("admin.users", "Tài khoản", (Role.ADMIN,)),
    NavItem("admin.audit", "Nhật ký", (Role.ADMIN,)),
)


def staff_menu() -> list[NavItem]:
    """The menu items the current user may open."""
    if not current_user.is_authenticated:
        return []
    return [item for item in MENU if current_user.role in item.roles]


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"staff_menu": staff_menu})
