"""Printed paper sheets: batches and their serials (a serial is a submission key)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..orm import utcnow

if TYPE_CHECKING:  # related models, resolved by name by the mapper
    from .campaigns import Campaign
    from .responses import Response
    from .units import Unit
    from .users import User


class SheetBatch(db.Model):
    """A printed batch of numbered sheets for one unit and campaign."""

    __tablename__ = "sheet_batch"
    __table_args__ = (CheckConstraint("sheet_count BETWEEN 1 AND 2000", name="sheet_count"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    sheet_count: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Page geometry: registration marks and each answer bubble's position, for mark reading.
    layout: Mapped[dict[str, Any] | None]

    sheets: Mapped[list[Sheet]] = relationship(back_populates="batch", order_by="Sheet.id")
    campaign: Mapped[Campaign] = relationship()
    unit: Mapped[Unit] = relationship()
    created_by: Mapped[User | None] = relationship()


def new_sheet_token() -> str:
    """The unguessable part of a sheet's own online address (96 bits)."""
    return secrets.token_urlsafe(12)


class Sheet(db.Model):
    """One numbered sheet; its serial can be answered once, online or on paper.

    The serial is short so that staff can type it; the token in the sheet's QR code is
    long so that nobody can answer sheets they were never handed.
    """

    __tablename__ = "sheet"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("sheet_batch.id"), index=True)
    serial: Mapped[str] = mapped_column(String(16), unique=True)
    token: Mapped[str] = mapped_column(String(32), unique=True, default=new_sheet_token)

    batch: Mapped[SheetBatch] = relationship(back_populates="sheets")


class VerificationEntry(db.Model):
    """A second, independent typing of a paper sheet (double entry) awaiting comparison."""

    __tablename__ = "verification_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"),
                                             unique=True)
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The answers, profile and comment as the second person typed them.
    payload: Mapped[dict[str, Any]]
    #: True when both typings agree exactly.
    matches: Mapped[bool]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    resolved_at: Mapped[datetime | None]

    response: Mapped[Response] = relationship()
    entered_by: Mapped[User] = relationship(foreign_keys=[entered_by_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
