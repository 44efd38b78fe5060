"""ODK Collect / KoboCollect for the collector: each open campaign's server address at each of
the user's units, and the configuration QR code to scan (docs/odk.md)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, abort, current_app, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth import UNIT_WORK, require_unit, roles_required, scope_to_units
from ..domain.campaigns.campaign_scope import campaigns_for
from ..domain.units.links import public_url
from ..extensions import db
from ..models import Campaign, CampaignState, CampaignUnit, Unit
from ..support.qr import collect_settings, qr_png


@dataclass(frozen=True)
class Server:
    """One campaign at one unit: the OpenRosa server ODK Collect points at."""

    campaign: Campaign
    unit: Unit

    @property
    def url(self) -> str:
        """The address for Collect's server setting (it adds /formList, /submission)."""
        form_list = url_for("openrosa.form_list", campaign_code=self.campaign.code,
                            unit_code=self.unit.code)
        return public_url(form_list.removesuffix("/formList"))

    @property
    def project(self) -> str:
        return f"{self.unit.name} – {self.campaign.name}"


def _servers() -> list[Server]:
    campaigns = campaigns_for(current_user, (CampaignState.OPEN,))
    servers = []
    for campaign in campaigns:
        units = db.session.scalars(scope_to_units(
            select(Unit).join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
            .where(CampaignUnit.campaign_id == campaign.id, Unit.is_active)
            .order_by(Unit.name), Unit.id))
        servers += [Server(campaign, unit) for unit in units]
    return servers


@roles_required(*UNIT_WORK)
def odk():
    """The user's ODK servers, their QR codes and how to use them."""
    secure = current_app.config["PUBLIC_BASE_URL"].startswith("https://")
    return render_template("staff/odk.html", servers=_servers(), secure=secure)


@roles_required(*UNIT_WORK)
def odk_qr(campaign_id: int, unit_id: int):
    """The configuration QR code of one campaign at one of the user's units, for the user."""
    unit = require_unit(unit_id)
    campaign = db.session.get(Campaign, campaign_id)
    taking_part = campaign is not None and db.session.get(
        CampaignUnit, (campaign.id, unit.id)) is not None
    if not taking_part or campaign.state is CampaignState.DRAFT:
        abort(404)
    server = Server(campaign, unit)
    code = collect_settings(server.url, current_user.username, server.project)
    return Response(qr_png(code, min_pixels=360), mimetype="image/png", headers={
        "Content-Disposition": f'inline; filename="odk-{campaign.id}-{unit.id}.png"',
        "Cache-Control": "private, no-store"})
