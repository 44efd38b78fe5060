"""The staff menu: one list of (endpoint, label, roles), shown to those it applies to.

An item may carry a count of what waits for the signed-in user there ("Phiếu cần xem xét
(12)"), from one cheap query per page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from flask_login import current_user

from .auth import ALL_STAFF, UNIT_WORK
from .domain.paper.scan_queue import waiting_count as scan_waiting_count
from .domain.submissions.flagged import waiting_count
from .models import Role, User


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    roles: tuple[Role, ...]
    #: How many things wait for the user there; shown when there are any.
    waiting: Callable[[User], int] | None = None


@dataclass(frozen=True)
class MenuEntry:
    endpoint: str
    label: str
    waiting: int = 0


MENU: tuple[NavItem, ...] = (
    NavItem("staff.progress", "Tiến độ", UNIT_WORK),
    NavItem("staff.entry", "Nhập phiếu giấy", UNIT_WORK),
    NavItem("staff.scans", "Đọc phiếu quét", UNIT_WORK, scan_waiting_count),
    NavItem("staff.batches", "In phiếu", UNIT_WORK),
    NavItem("staff.posters", "Áp phích QR", UNIT_WORK),
    NavItem("staff.odk", "ODK Collect", UNIT_WORK),
    NavItem("staff.flagged", "Phiếu cần xem xét", UNIT_WORK, waiting_count),
    NavItem("results.index", "Kết quả", ALL_STAFF),
    NavItem("admin.units", "Đơn vị", (Role.ADMIN,)),
    NavItem("admin.campaigns", "Đợt khảo sát", (Role.ADMIN,)),
    NavItem("admin.users", "Tài khoản", (Role.ADMIN,)),
    NavItem("admin.audit", "Nhật ký", (Role.ADMIN,)),
)


def staff_menu() -> list[MenuEntry]:
    """The menu items the current user may open, with what waits there."""
    if not current_user.is_authenticated:
        return []
    user = current_user._get_current_object()
    return [MenuEntry(item.endpoint, item.label, item.waiting(user) if item.waiting else 0)
            for item in MENU if user.role in item.roles]


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"staff_menu": staff_menu})
