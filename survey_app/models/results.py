"""Approved result snapshots: frozen numbers and files submitted to the Chairman."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, Float, ForeignKey, LargeBinary, String, UniqueConstraint
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


class ResultRevision(db.Model):
    """How many times the responses of one unit in one campaign have changed.

    Kept by database triggers on ``response`` and ``answer`` (migration 0008), in the same
    transaction as the change, whatever wrote it: the service, a bulk statement or psql.
    The computed-results cache (``domain/results/result_cache.py``) is keyed by these
    counters, so reading them is all it takes to know whether a cached result still holds.
    """

    __tablename__ = "result_revision"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"),
                                             primary_key=True)
    #: No foreign key: a unit whose responses were all deleted keeps its counter.
    unit_id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger)


class ResultCache(db.Model):
    """One computed part of a campaign's results and the fingerprint it was computed for.

    Parts: ``base`` (units, district, comparison), ``cut:<dimension>``, ``extras`` (what
    approval records about the counted responses). ``payload`` is the part's JSON, zlib-
    compressed. A part is used only while the fingerprint of the campaign's data, settings
    and code is the one stored; otherwise it is computed again and replaced.
    """

    __tablename__ = "result_cache"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"),
                                             primary_key=True)
    part: Mapped[str] = mapped_column(String(40), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: How long computing it took, in seconds (what the cache saves each time it is used).
    seconds: Mapped[float] = mapped_column(Float)
