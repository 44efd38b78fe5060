"""What every administration view shares: the admin-only guard and making a change."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from ..auth import acting_user, roles_required
from ..database import write_transaction
from ..errors import DomainError
from ..models import Role, User

admin_only = roles_required(Role.ADMIN)

CONFLICT = ("Dữ liệu vừa bị người khác thay đổi (ví dụ mã đã được dùng). Vui lòng tải lại trang "
            "và thử lại.")


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
