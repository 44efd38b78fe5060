"""Organisational units (a tree: province, departments, communes, divisions…) and their
service counters."""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..orm import enum_column, utcnow


class UnitKind(enum.StrEnum):
    """What a unit is, at any level of the tree (docs/units.md): since 1/7/2025 a province
    over its departments and communes, a commune over its divisions; a district is kept
    for history (the two-tier reform dissolved them)."""

    PROVINCE = "province"
    #: A specialised agency: a province's sở, ban, ngành, or a district's phòng (history).
    DEPARTMENT = "department"
    DISTRICT = "district"
    COMMUNE = "commune"
    #: A commune's division or its one-stop centre (Trung tâm phục vụ hành chính công xã).
    DIVISION = "division"
    #: The name of DEPARTMENT before the unit tree (migration 0010 turned "agency" rows
    #: into "department"); an alias, not a separate kind.
    AGENCY = "department"

    @property
    def label(self) -> str:
        return UNIT_KIND_LABELS[self]


UNIT_KIND_LABELS = {
    UnitKind.PROVINCE: "Tỉnh, thành phố",
    UnitKind.DEPARTMENT: "Cơ quan chuyên môn (sở, ban, ngành, phòng)",
    UnitKind.DISTRICT: "Huyện (trước 1/7/2025)",
    UnitKind.COMMUNE: "Xã, phường, thị trấn",
    UnitKind.DIVISION: "Bộ phận thuộc xã (trung tâm phục vụ hành chính công…)",
}


def new_counter_token() -> str:
    """An unguessable 128-bit token for a counter's public link."""
    return secrets.token_urlsafe(16)


class Unit(db.Model):
    """A unit of the tree: one whose service is surveyed and scored, or one that groups
    others (``parent_id``: the unit above; none at the top)."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[UnitKind] = mapped_column(enum_column(UnitKind, "unit_kind"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    #: Codes of the procedure fields (lĩnh vực) offered by this unit; None = the full list.
    field_codes: Mapped[list[str] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: First and last day the unit existed as such (None: open-ended); see UnitSuccession.
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]

    parent: Mapped[Unit | None] = relationship(remote_side=[id])
    counters: Mapped[list[Counter]] = relationship(back_populates="unit",
                                                   order_by="Counter.id")
    #: The "became" links from this unit (its successors) and to it (its predecessors).
    successor_links: Mapped[list[UnitSuccession]] = relationship(
        foreign_keys="UnitSuccession.predecessor_id", back_populates="predecessor",
        cascade="all, delete-orphan", order_by="UnitSuccession.id")
    predecessor_links: Mapped[list[UnitSuccession]] = relationship(
        foreign_keys="UnitSuccession.successor_id", back_populates="successor",
        cascade="all, delete-orphan", order_by="UnitSuccession.id")

    @property
    def dissolved(self) -> bool:
        """Ended (``valid_to`` set) without becoming any other unit: giải thể."""
        return self.valid_to is not None and not self.successor_links

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class UnitSuccession(db.Model):
    """The predecessor became (part of) the successor on ``effective_on`` (docs/unit-history.md).

    Several predecessors of one successor: a merger (sáp nhập); one predecessor with several
    successors: a split (chia tách); a unit with ``valid_to`` and no successor: dissolved.
    """

    __tablename__ = "unit_succession"
    __table_args__ = (UniqueConstraint("predecessor_id", "successor_id"),
                      CheckConstraint("predecessor_id <> successor_id", name="not_itself"))

    id: Mapped[int] = mapped_column(primary_key=True)
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"),
                                                index=True)
    successor_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"),
                                              index=True)
    effective_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    predecessor: Mapped[Unit] = relationship(foreign_keys=[predecessor_id],
                                             back_populates="successor_links")
    successor: Mapped[Unit] = relationship(foreign_keys=[successor_id],
                                           back_populates="predecessor_links")

    def __repr__(self) -> str:
        return f"<UnitSuccession {self.predecessor_id} → {self.successor_id}>"


class Counter(db.Model):
    """A service counter (quầy) whose poster carries a QR link to the survey."""

    __tablename__ = "counter"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_counter_token)
    is_active: Mapped[bool] = mapped_column(default=True)
    #: A tablet fixed at the counter: the form resets itself for the next person.
    kiosk: Mapped[bool] = mapped_column(default=False)
    #: In kiosk mode, show the link to the other language (hidden unless this is set).
    kiosk_language: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    token_issued_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship(back_populates="counters")

    def regenerate_token(self) -> None:
        """Issue a new link; printed posters with the old one stop working."""
        self.token = new_counter_token()
        self.token_issued_at = utcnow()

    def __repr__(self) -> str:
        return f"<Counter {self.id} of unit {self.unit_id}>"
