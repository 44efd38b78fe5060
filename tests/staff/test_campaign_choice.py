"""One way to choose a campaign on every staff page (issue 11): ``?campaign=<code>``, among
the campaigns the user sees (past the draft stage, with one of their units)."""

from __future__ import annotations

import pytest

from survey_app.extensions import db
from survey_app.models import CampaignState, Channel, Role
from tests.staff.staff_support import add_responses


@pytest.fixture
def two_campaigns(make_unit, make_campaign):
    ours = make_unit("xa-ta", "Xã Ta")
    theirs = make_unit("xa-ho", "Xã Họ")
    first = make_campaign([ours, theirs], code="dot-dau")
    second = make_campaign([theirs], code="dot-sau")
    return first, second, ours, theirs


PAGES = ["/staff/progress", "/staff/entry", "/staff/flagged", "/results/"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_takes_the_campaign_code(client, two_campaigns, make_user, login_as, page):
    first, second, _, _ = two_campaigns
    admin, _ = make_user("quantri", role=Role.ADMIN)
    login_as(admin)
    for campaign in (first, second):
        reply = client.get(page, query_string={"campaign": campaign.code})
        assert reply.status_code == 200, (page, campaign.code)
    assert client.get(page, query_string={"campaign": "khong-co"}).status_code == 404
    # an id is not a code: an old bookmark never silently shows another campaign
    assert client.get(page, query_string={"campaign": str(first.id)}).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_a_campaign_without_the_users_units_is_not_theirs_to_choose(
        client, two_campaigns, make_user, login_as, page):
    first, second, ours, _ = two_campaigns
    staff, _ = make_user("canbo", units=[ours])
    login_as(staff)
    assert client.get(page, query_string={"campaign": first.code}).status_code == 200
    assert client.get(page, query_string={"campaign": second.code}).status_code == 404


def test_the_results_picker_lists_only_the_users_campaigns(client, two_campaigns, make_user,
                                                           login_as):
    first, second, ours, _ = two_campaigns
    staff, _ = make_user("canbo", units=[ours])
    login_as(staff)
    html = client.get("/results/").get_data(as_text=True)
    assert f'value="{first.code}"' in html
    assert f'value="{second.code}"' not in html


def test_a_draft_is_chosen_nowhere(client, two_campaigns, make_user, login_as):
    first, _, _, _ = two_campaigns
    first.state = CampaignState.DRAFT
    db.session.commit()
    admin, _ = make_user("quantri", role=Role.ADMIN)
    login_as(admin)
    for page in ("/staff/progress", "/results/"):
        assert client.get(page, query_string={"campaign": first.code}).status_code == 404


def test_the_flagged_list_filters_by_code(client, two_campaigns, make_user, login_as):
    first, second, ours, theirs = two_campaigns
    add_responses(first, ours, Channel.QR, 1, flag="Nhiều phiếu trong 10 phút", key="a")
    add_responses(second, theirs, Channel.QR, 2, flag="Nhiều phiếu trong 10 phút", key="b")
    admin, _ = make_user("quantri", role=Role.ADMIN)
    login_as(admin)
    only_first = client.get("/staff/flagged", query_string={"campaign": first.code})
    everything = client.get("/staff/flagged")
    assert only_first.get_data(as_text=True).count('name="response_id"') == 1
    assert everything.get_data(as_text=True).count('name="response_id"') == 3
