"""The approval button with CSRF protection on, as in production."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Campaign, CampaignState, Role


@pytest.fixture
def config_overrides() -> dict:
    return {"WTF_CSRF_ENABLED": True}


def _state() -> CampaignState:
    db.session.rollback()
    return db.session.scalar(select(Campaign.state).where(Campaign.code == "thu"))


def test_approval_needs_the_form_token(client, login_as, make_unit, make_campaign, make_user,
                                       add_responses):
    unit = make_unit()
    campaign = make_campaign([unit], state=CampaignState.CLOSED)
    add_responses(campaign, unit, 4)
    login_as(make_user("admin", Role.ADMIN)[0])
    assert client.post("/results/approve", data={"campaign": "thu"}).status_code == 400
    assert _state() is CampaignState.CLOSED
    page = client.get("/results/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page)
    response = client.post("/results/approve", data={"campaign": "thu", "flagged": "0",
                                                     "csrf_token": token.group(1)})
    assert response.status_code == 302
    assert _state() is CampaignState.APPROVED
