"""Scanned paper sheets waiting for a person: pages read by machine, not yet stored.

A page whose every question was read with confidence is stored with its sheet at once; a
page kept here either has questions a person must decide (``review``), was read but waits
for the other pages of its sheet (``ready``), or belongs to a sheet already stored whose
handwritten comment waits to be typed (``comment``). Each row keeps what was read and the
crops a person needs (PNG bytes); it is removed once its sheet is stored.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..orm import enum_column, utcnow

if TYPE_CHECKING:  # related models, resolved by name by the mapper
    from .campaigns import Campaign
    from .responses import Response
    from .sheets import Sheet
    from .units import Unit
    from .users import User


class ScanState(enum.StrEnum):
    """Why a scanned page is still here."""

    REVIEW = "review"
    READY = "ready"
    COMMENT = "comment"

    @property
    def label(self) -> str:
        return SCAN_STATE_LABELS[self]


SCAN_STATE_LABELS = {
    ScanState.REVIEW: "Cần xem lại",
    ScanState.READY: "Đã đọc, chờ các trang khác của phiếu",
    ScanState.COMMENT: "Đã lưu phiếu, chờ gõ ý kiến viết tay",
}


class ScanPage(db.Model):
    """One page of one sheet as read from a scan or photo, kept until its sheet is stored."""

    __tablename__ = "scan_page"
    __table_args__ = (UniqueConstraint("sheet_id", "sheet_page"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheet.id"))
    #: The page of the sheet (1 = the page with the sheet's own QR code).
    sheet_page: Mapped[int]
    state: Mapped[ScanState] = mapped_column(enum_column(ScanState, "scan_state"))
    #: SHA-256 of the page's grey pixels as read: the same scan uploaded again is known.
    image_sha256: Mapped[str] = mapped_column(String(64))
    #: Where the page came from: the uploaded file's name and its page in that file.
    source: Mapped[str] = mapped_column(String(200))
    file_page: Mapped[int]
    #: Per question code: ``kind`` (item|profile), ``decision``, ``value`` (None: blank or
    #: undecided), ``review`` (why a person must decide it, or absent).
    readings: Mapped[dict[str, Any]]
    #: True when the comment box of this page holds writing.
    comment_written: Mapped[bool] = mapped_column(default=False)
    #: The comment box as a PNG (only on the page that carries it).
    comment_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: The comment as a reviewer typed it from ``comment_png`` (stored with the sheet).
    comment: Mapped[str | None] = mapped_column(Text)
    #: Why storing the sheet was refused last time (shown on the review screen).
    problem: Mapped[str | None] = mapped_column(String(500))
    #: The stored response whose comment waits to be typed (state ``comment``).
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    crops: Mapped[list[ScanCrop]] = relationship(
        back_populates="page", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ScanCrop.id")
    campaign: Mapped[Campaign] = relationship()
    unit: Mapped[Unit] = relationship()
    sheet: Mapped[Sheet] = relationship()
    response: Mapped[Response | None] = relationship()
    uploaded_by: Mapped[User | None] = relationship()

    def review_codes(self) -> list[str]:
        """The questions a person must still decide, in the page's order."""
        return [code for code, reading in self.readings.items() if reading.get("review")]


class ScanCrop(db.Model):
    """The row of one question of a scanned page, as a PNG for the person deciding it."""

    __tablename__ = "scan_crop"
    __table_args__ = (UniqueConstraint("scan_page_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_page_id: Mapped[int] = mapped_column(ForeignKey("scan_page.id", ondelete="CASCADE"))
    #: The item or profile question code.
    code: Mapped[str] = mapped_column(String(40))
    png: Mapped[bytes] = mapped_column(LargeBinary)

    page: Mapped[ScanPage] = relationship(back_populates="crops")
