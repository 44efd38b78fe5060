"""Progress against the deadline for the user's units."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from ..auth import UNIT_WORK, roles_required
from ..campaign_choice import chosen_campaign
from ..domain.campaigns.campaign_scope import running_campaign, visible_campaigns
from ..domain.campaigns.progress import campaign_progress
from ..models import Channel
from ..support.dates import today_local


@roles_required(*UNIT_WORK)
def progress():
    """Valid responses per unit against the required sample, by channel, with the pace."""
    today = today_local()
    campaigns = visible_campaigns(current_user)
    campaign = chosen_campaign(campaigns, default=running_campaign(campaigns, today))
    report = campaign_progress(campaign, current_user, today) if campaign else None
    return render_template("staff/progress.html", campaigns=campaigns, report=report,
                           channels=[(c.value, c.label) for c in Channel])
