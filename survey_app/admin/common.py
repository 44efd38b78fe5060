"""What every administration view shares: the admin-only guard and committing a change."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import IntegrityError

from ..auth import roles_required
from ..database import write_transaction
from ..errors import DomainError
from ..models import Role

admin_only = roles_required(Role.ADMIN)

CONFLICT = ("Dữ liệu vừa bị người khác thay đổi (ví dụ mã đã được dùng). Vui lòng tải lại trang "
            "và thử lại.")


def commit_change(change: Callable[[], object]) -> str | None:
    """Run ``change`` (which writes its audit event) in one transaction; the refusal, or None."""
    try:
        with write_transaction():
            change()
    except DomainError as error:
        return str(error)
    except IntegrityError:
        return CONFLICT
    return None
