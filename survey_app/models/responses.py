"""Responses (phiếu) and their answers: what the indices are counted from."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..orm import enum_column, utcnow

if TYPE_CHECKING:  # related models, resolved by name by the mapper
    from .campaigns import Campaign
    from .instruments import InstrumentVersion
    from .sheets import Sheet
    from .units import Counter, Unit
    from .users import User


class Channel(enum.StrEnum):
    QR = "qr"
    KIOSK = "kiosk"
    PAPER = "paper"
    IMPORT = "import"
    #: Collected with ODK Collect or KoboCollect and sent through the OpenRosa server.
    ODK = "odk"

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]


CHANNEL_LABELS = {
    Channel.QR: "Quét mã QR",
    Channel.KIOSK: "Máy tính bảng tại quầy",
    Channel.PAPER: "Phiếu giấy",
    Channel.IMPORT: "Nhập từ tệp",
    Channel.ODK: "ODK/KoboCollect",
}


class ResponseStatus(enum.StrEnum):
    """Valid responses are counted; invalid ones (too few items rated) are kept and reported;
    flagged ones wait for staff, who clear them or keep them out (rejected)."""

    VALID = "valid"
    INVALID = "invalid"
    FLAGGED = "flagged"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    ResponseStatus.VALID: "Hợp lệ",
    ResponseStatus.INVALID: "Không hợp lệ",
    ResponseStatus.FLAGGED: "Bị gắn cờ (chưa tính)",
    ResponseStatus.REJECTED: "Bị loại sau khi xem xét",
}


class Response(db.Model):
    """One filled questionnaire, written with its answers in a single transaction."""

    __tablename__ = "response"
    __table_args__ = (
        CheckConstraint("n_rated >= 0", name="n_rated"),
        Index("ix_response_campaign_status_unit", "campaign_id", "status", "unit_id"),
        # Burst checks (domain/submissions/bursts.py): one range scan per counter, one per client.
        Index("ix_response_counter_received", "counter_id", "received_at"),
        Index("ix_response_client_received", "client_hash", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Server-made 128-bit key of the served form, or the paper sheet's serial.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    #: SHA-256 of the canonical answers, to tell a harmless replay from a conflicting one.
    payload_digest: Mapped[str] = mapped_column(String(64))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"))
    sheet_id: Mapped[int | None] = mapped_column(ForeignKey("sheet.id"), unique=True)
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_version.id"))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "channel"))
    respondent_type: Mapped[str] = mapped_column(String(20))
    field: Mapped[str | None] = mapped_column(String(40))
    gender: Mapped[str | None] = mapped_column(String(10))
    age_band: Mapped[str | None] = mapped_column(String(10))
    submission_mode: Mapped[str | None] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    #: When the person answered (for paper and imports: the date on the sheet or in the file).
    submitted_at: Mapped[datetime]
    #: When the server stored it.
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Rating items answered 1..5; validity is n_rated ≥ threshold × rating items.
    n_rated: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[ResponseStatus] = mapped_column(enum_column(ResponseStatus,
                                                               "response_status"))
    #: Why it was flagged; kept after review so reports can say what was excluded.
    flag_reason: Mapped[str | None] = mapped_column(String(200))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    reviewed_at: Mapped[datetime | None]
    #: Keyed hash of the client address (salt rotated daily); never the address itself.
    client_hash: Mapped[str | None] = mapped_column(String(64))
    #: SHA-256 of the item answers alone (no profile, no comment): identical answer patterns.
    pattern_digest: Mapped[str | None] = mapped_column(String(64))
    #: The one value (1..5) every rated item carries when the ratings are straight-lined.
    straight_value: Mapped[int | None] = mapped_column(SmallInteger)
    #: Which burst flagged it ("rule:id of the burst's first response"), to review it whole.
    burst_key: Mapped[str | None] = mapped_column(String(40))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    answers: Mapped[list[Answer]] = relationship(back_populates="response",
                                                 cascade="all, delete-orphan",
                                                 order_by="Answer.item_code")
    campaign: Mapped[Campaign] = relationship()
    unit: Mapped[Unit] = relationship()
    counter: Mapped[Counter | None] = relationship()
    sheet: Mapped[Sheet | None] = relationship()
    instrument_version: Mapped[InstrumentVersion] = relationship()
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])

    def answer_values(self) -> dict[str, int]:
        return {answer.item_code: answer.value for answer in self.answers}


class Answer(db.Model):
    """One answer: value 1..5 on the item's scale, or 0 for "Không áp dụng"."""

    __tablename__ = "answer"
    # Clustered on (response_id, item_code) in SQLite: no rowid, no second copy of the key.
    __table_args__ = (CheckConstraint("value BETWEEN 0 AND 5", name="value"),
                      {"sqlite_with_rowid": False})

    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"),
                                             primary_key=True)
    item_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[int] = mapped_column(SmallInteger)

    response: Mapped[Response] = relationship(back_populates="answers")
