"""Progress of a campaign: valid responses per unit against the required sample and the pace."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from analysis import yamane

from ...auth import scope_to_units
from ...extensions import db
from ...models import (
    Campaign,
    CampaignUnit,
    Channel,
    Response,
    ResponseStatus,
    Unit,
    User,
)


@dataclass
class UnitProgress:
    """One unit's line: counts by channel, the requirement and whether it keeps pace."""

    unit: Unit
    required: int | None
    source: str  # "target", "yamane" or "" when neither N nor a target was entered
    by_channel: dict[str, int] = field(default_factory=dict)
    flagged: int = 0
    expected: float = 0.0

    @property
    def valid(self) -> int:
        """Valid responses over every channel."""
        return sum(self.by_channel.values())

    @property
    def reached(self) -> bool:
        """The required sample is reached."""
        return self.required is not None and self.valid >= self.required

    @property
    def behind(self) -> bool:
        """Fewer valid responses than the requirement × the elapsed share of the period."""
        return self.required is not None and not self.reached and self.valid < self.expected

    @property
    def share(self) -> float | None:
        """Valid responses as a share of the requirement (None when unknown)."""
        return None if not self.required else self.valid / self.required


@dataclass
class CampaignProgress:
    campaign: Campaign
    today: date
    elapsed_share: float
    rows: list[UnitProgress]

    @property
    def days_left(self) -> int:
        """Days from today to the deadline (negative once it has passed)."""
        return (self.campaign.deadline - self.today).days


def elapsed_share(campaign: Campaign, today: date) -> float:
    """Share of the survey period (both ends counted) that has passed by the end of today."""
    total = (campaign.deadline - campaign.starts_on).days + 1
    elapsed = (today - campaign.starts_on).days + 1
    return min(1.0, max(0.0, elapsed / total))


def required_sample(target: CampaignUnit, margin: float) -> tuple[int | None, str]:
    """The fixed target if set, else Yamane's n from the unit's N (METHODOLOGY §5)."""
    if target.fixed_target:
        return target.fixed_target, "target"
    if target.transactions_n is not None:
        return yamane(target.transactions_n, margin), "yamane"
    return None, ""


def campaign_progress(campaign: Campaign, user: User, today: date) -> CampaignProgress:
    """Per unit the user may see: valid responses by channel, counted with one GROUP BY."""
    share = elapsed_share(campaign, today)
    targets = db.session.execute(scope_to_units(
        select(CampaignUnit, Unit).join(Unit, Unit.id == CampaignUnit.unit_id)
        .where(CampaignUnit.campaign_id == campaign.id).order_by(Unit.name),
        CampaignUnit.unit_id, user)).all()
    rows: dict[int, UnitProgress] = {}
    for target, unit in targets:
        required, source = required_sample(target, campaign.margin_of_error)
        rows[unit.id] = UnitProgress(unit=unit, required=required, source=source,
                                     by_channel={channel.value: 0 for channel in Channel},
                                     expected=(required or 0) * share)
    counts = db.session.execute(scope_to_units(
        select(Response.unit_id, Response.status, Response.channel, func.count())
        .where(Response.campaign_id == campaign.id,
               Response.status.in_((ResponseStatus.VALID, ResponseStatus.FLAGGED)))
        .group_by(Response.unit_id, Response.status, Response.channel),
        Response.unit_id, user))
    for unit_id, status, channel, number in counts:
        row = rows.get(unit_id)
        if row is None:
            continue
        if status is ResponseStatus.VALID:
            row.by_channel[channel.value] = number
        else:
            row.flagged += number
    return CampaignProgress(campaign=campaign, today=today, elapsed_share=share,
                            rows=list(rows.values()))
