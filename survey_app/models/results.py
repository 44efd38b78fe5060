"""Approved result snapshots: frozen numbers and files submitted to the Chairman."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..orm import utcnow
from .users import User

if TYPE_CHECKING:  # resolved by name by the mapper
    from .campaigns import Campaign


class ResultSnapshot(db.Model):
    """An approved computation; later data never changes it, re-computing makes a new one."""

    __tablename__ = "result_snapshot"
    __table_args__ = (UniqueConstraint("campaign_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    version: Mapped[int]
    method: Mapped[str] = mapped_column(String(20))
    #: Instrument code → version numbers of the responses counted.
    instrument_versions: Mapped[dict[str, Any]]
    #: SHA-256 over the sorted (id, submission key, status) of the responses counted.
    response_fingerprint: Mapped[str] = mapped_column(String(64))
    n_responses: Mapped[int]
    #: The result JSON exactly as computed (see docs/results-json.md).
    results: Mapped[dict[str, Any]]
    computed_at: Mapped[datetime]
    xlsx: Mapped[bytes] = mapped_column(LargeBinary)
    xlsx_sha256: Mapped[str] = mapped_column(String(64))
    csv: Mapped[bytes | None] = mapped_column(LargeBinary)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    approved_at: Mapped[datetime] = mapped_column(default=utcnow)

    approved_by: Mapped[User] = relationship()
    campaign: Mapped[Campaign] = relationship()
