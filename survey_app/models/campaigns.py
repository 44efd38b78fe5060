"""Survey campaigns (đợt khảo sát) and the units taking part with their sample targets."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, String
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..errors import InvalidTransition
from ..extensions import db
from ..orm import enum_column, utcnow
from .instruments import InstrumentVersion
from .units import Unit


class CampaignState(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    APPROVED = "approved"

    @property
    def label(self) -> str:
        return CAMPAIGN_STATE_LABELS[self]


CAMPAIGN_STATE_LABELS = {
    CampaignState.DRAFT: "Bản nháp",
    CampaignState.OPEN: "Đang mở",
    CampaignState.CLOSED: "Đã đóng",
    CampaignState.APPROVED: "Đã phê duyệt",
}

#: Allowed moves; a closed campaign may reopen, an approved one never.
TRANSITIONS: dict[CampaignState, frozenset[CampaignState]] = {
    CampaignState.DRAFT: frozenset({CampaignState.OPEN}),
    CampaignState.OPEN: frozenset({CampaignState.CLOSED}),
    CampaignState.CLOSED: frozenset({CampaignState.OPEN, CampaignState.APPROVED}),
    CampaignState.APPROVED: frozenset(),
}


class Campaign(db.Model):
    """One survey round: an instrument version, a period, a deadline and the units in it."""

    __tablename__ = "campaign"
    __table_args__ = (
        CheckConstraint("valid_threshold > 0 AND valid_threshold <= 1", name="valid_threshold"),
        CheckConstraint("margin_of_error > 0 AND margin_of_error < 1", name="margin_of_error"),
        CheckConstraint("headline_method IN ('mean-of-elements', 'pooled', 'mean-of-criteria')",
                        name="headline_method"),
        CheckConstraint("weighting IN ('respondent', 'dossier')", name="weighting"),
        CheckConstraint("min_compare_responses >= 2", name="min_compare_responses"),
        CheckConstraint("starts_on <= deadline", name="period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_version.id"),
                                                       index=True)
    starts_on: Mapped[date]
    deadline: Mapped[date]
    headline_method: Mapped[str] = mapped_column(String(20), default="mean-of-elements")
    #: Share of the rating items a response must answer 1..5 to be valid (phiếu hợp lệ).
    valid_threshold: Mapped[float] = mapped_column(Float, default=0.5)
    #: Yamane's e for the required sample size.
    margin_of_error: Mapped[float] = mapped_column(Float, default=0.05)
    #: How the district figure and the totals of cuts weigh the units: every valid
    #: response alike ("respondent") or each unit by its dossier count N ("dossier").
    weighting: Mapped[str] = mapped_column(String(20), default="respondent")
    #: Fewest valid responses behind a unit's index for it to be compared with the district.
    min_compare_responses: Mapped[int] = mapped_column(default=30)
    #: Codes of the instrument's optional blocks switched on for this campaign.
    optional_blocks: Mapped[list[str]] = mapped_column(default=list)
    #: File name under questionnaires/scoring/ converting indices to PAR points.
    scoring_file: Mapped[str] = mapped_column(String(100), default="par-example.yaml")
    previous_campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"))
    state: Mapped[CampaignState] = mapped_column(enum_column(CampaignState, "campaign_state"),
                                                 default=CampaignState.DRAFT)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When it was last closed (UTC); None while open or never closed. Kept on approval.
    closed_at: Mapped[datetime | None]

    instrument_version: Mapped[InstrumentVersion] = relationship()
    previous_campaign: Mapped[Campaign | None] = relationship(remote_side=[id])
    targets: Mapped[list[CampaignUnit]] = relationship(back_populates="campaign",
                                                       cascade="all, delete-orphan")

    @hybrid_property
    def frozen(self) -> bool:
        """Approved results are final: the campaign's responses, flags, targets and numbers
        never change again (the one statement of that rule; also usable in a query)."""
        return self.state == CampaignState.APPROVED

    def transition_to(self, target: CampaignState) -> None:
        """Move to ``target`` or raise ``InvalidTransition``."""
        if target not in TRANSITIONS[self.state]:
            raise InvalidTransition(self.state.label, target.label)
        if target is CampaignState.CLOSED:
            self.closed_at = utcnow()
        elif target is CampaignState.OPEN:
            self.closed_at = None
        self.state = target

    def accepts_responses_on(self, day: date) -> bool:
        """Open and ``day`` within the survey period."""
        return self.state is CampaignState.OPEN and self.starts_on <= day <= self.deadline

    def __repr__(self) -> str:
        return f"<Campaign {self.code} {self.state}>"


class CampaignUnit(db.Model):
    """A unit taking part in a campaign, with its dossier count N or a fixed sample target."""

    __tablename__ = "campaign_unit"
    __table_args__ = (
        CheckConstraint("transactions_n IS NULL OR transactions_n >= 0", name="transactions_n"),
        CheckConstraint("fixed_target IS NULL OR fixed_target > 0", name="fixed_target"),
    )

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"),
                                             primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True, index=True)
    #: Dossiers handled in the period (from the one-stop system), for Yamane's n.
    transactions_n: Mapped[int | None]
    #: A fixed target that overrides Yamane (e.g. 150 per commune).
    fixed_target: Mapped[int | None]

    campaign: Mapped[Campaign] = relationship(back_populates="targets")
    unit: Mapped[Unit] = relationship()
