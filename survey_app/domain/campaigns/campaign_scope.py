"""Campaigns a staff member works on: those with at least one unit they may see.

One meaning of "the campaigns a user sees" for every staff page (progress, entry, flagged
responses, results, downloads): past the draft stage and with a unit in the user's scope.
"""

from __future__ import annotations

from datetime import date

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


#: The states a campaign is shown in to staff (a draft is the admin's alone).
SHOWN_STATES = (CampaignState.OPEN, CampaignState.CLOSED, CampaignState.APPROVED)


def visible_campaigns(user: User) -> list[Campaign]:
    """Campaigns past the draft stage with a unit the user may see, latest first."""
    return campaigns_for(user, SHOWN_STATES)


def running_campaign(campaigns: list[Campaign], today: date) -> Campaign | None:
    """The first campaign taking responses today, else the latest one."""
    for campaign in campaigns:
        if campaign.accepts_responses_on(today):
            return campaign
    return campaigns[0] if campaigns else None
