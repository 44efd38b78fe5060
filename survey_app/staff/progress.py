"""Progress against the deadline for the user's units."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from ..auth import UNIT_WORK, roles_required
from ..domain.campaigns.progress import campaign_progress, default_campaign, visible_campaigns
from ..models import Channel
from ..support.dates import today_local


@roles_required(*UNIT_WORK)
def progress():
    """Valid responses per unit against the required sample, by channel, with the pace."""
    today = today_local()
    campaigns = visible_campaigns(current_user)
    wanted = request.args.get("campaign", type=int)
    campaign = default_campaign(campaigns, today)
    if wanted is not None:
        campaign = next((c for c in campaigns if c.id == wanted), None)
        if campaign is None:
            abort(404)
    report = campaign_progress(campaign, current_user, today) if campaign else None
    return render_template("staff/progress.html", campaigns=campaigns, report=report,
                           channels=[(c.value, c.label) for c in Channel])
