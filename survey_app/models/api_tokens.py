"""Personal API tokens: a staff member's key for the JSON API (docs/api.md).

Only the SHA-256 of the secret is stored; the secret itself is shown once, when the token is
made. A token acts as its owner: the owner's current role and units decide what it reads and
writes, so changing the account changes every token with it, and a deactivated account's
tokens stop working.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..orm import utcnow
from .users import User


class ApiToken(db.Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"),
                                         index=True)
    #: What the owner called it ("Hệ thống chấm điểm PAR của tỉnh").
    name: Mapped[str] = mapped_column(String(100))
    #: The secret's first characters, shown on the account page to tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    #: SHA-256 (hex) of the whole secret; the secret itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Updated at most every few minutes (``domain/accounts/api_tokens.TOUCH_EVERY``).
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix}… of user {self.user_id}>"
