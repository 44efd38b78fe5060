"""Campaigns a staff member works on: those with at least one unit they may see."""

from __future__ import annotations

from sqlalchemy import select

from ...auth import scope_to_units
from ...extensions import db
from ...models import Campaign, CampaignState, CampaignUnit, User


def campaigns_for(user: User, states: tuple[CampaignState, ...]) -> list[Campaign]:
    """Campaigns in ``states`` with a unit the user may see, latest first."""
    # A subquery, not DISTINCT over the join: PostgreSQL cannot compare JSON columns.
    taking_part = scope_to_units(select(CampaignUnit.campaign_id), CampaignUnit.unit_id, user)
    return list(db.session.scalars(
        select(Campaign).where(Campaign.id.in_(taking_part), Campaign.state.in_(states))
        .order_by(Campaign.starts_on.desc(), Campaign.id.desc())))
