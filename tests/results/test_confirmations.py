"""Irreversible or disruptive actions ask first and say the consequence (issue 13.1): a page
that works without JavaScript, a distinct danger button, nothing changed until confirmed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import (
    AuditEvent,
    Campaign,
    CampaignState,
    Counter,
    ResultSnapshot,
    Role,
    Unit,
    User,
)

DANGER = re.compile(r'<button type="submit" class="danger">')


def confirmation_form(html: str) -> dict[str, str]:
    """The fields the confirmation page posts back, as a browser would send them."""
    form = re.search(r'<form method="post" action="[^"]*" class="confirm">(.*?)</form>', html,
                     re.S)
    assert form, html
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">',
                           form.group(1)))


def audited() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture
def unit(make_unit, make_campaign):
    unit = make_unit("xa-thu", "Xã Thử")
    make_campaign([unit], code="dot-thu")
    return unit


def test_regenerating_a_qr_asks_first_and_names_the_posters(client, admin, unit):
    counter = unit.counters[0]
    old = counter.token
    page = client.post(f"/admin/counters/{counter.id}/regenerate")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "áp phích" in html and "ngừng hoạt động ngay" in html and DANGER.search(html)
    assert f'href="/admin/units/{unit.id}/counters"' in html  # a way back
    db.session.rollback()  # end the read snapshot: see what the requests wrote
    assert db.session.get(Counter, counter.id).token == old and audited() == []
    done = client.post(f"/admin/counters/{counter.id}/regenerate",
                       data=confirmation_form(html))
    assert done.status_code == 302
    db.session.rollback()  # end the read snapshot: see what the requests wrote
    assert db.session.get(Counter, counter.id).token != old
    assert audited() == ["counter.regenerate_token"]


@pytest.mark.parametrize(("path", "data", "says", "changed"), [
    ("/admin/units/{unit}/active", {"active": "0"}, "ngừng nhận phiếu",
     lambda: db.session.scalar(select(Unit.is_active)) is False),
    ("/admin/counters/{counter}/active", {"active": "0"}, "ngừng nhận phiếu",
     lambda: db.session.scalar(select(Counter.is_active)) is False),
    ("/admin/campaigns/{campaign}/state", {"target": "closed"}, "đóng sớm",
     lambda: db.session.scalar(select(Campaign.state)) is CampaignState.CLOSED),
    ("/admin/users/{user}/reset-password", {}, "chỉ hiện một lần",
     lambda: db.session.scalar(select(User.must_change_password)
                               .where(User.username == "canbo")) is True),
    ("/admin/users/{user}/active", {"active": "0"}, "đăng xuất ngay",
     lambda: db.session.scalar(select(User.active).where(User.username == "canbo")) is False),
])
def test_each_disruptive_action_asks_then_acts(client, admin, unit, make_user, path, data, says,
                                               changed):
    staff, _ = make_user("canbo", units=[unit])
    campaign = db.session.scalar(select(Campaign))
    url = path.format(unit=unit.id, counter=unit.counters[0].id, campaign=campaign.id,
                      user=staff.id)
    page = client.post(url, data=data)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and says in html and DANGER.search(html), url
    db.session.rollback()  # end the read snapshot: see what the requests wrote
    assert not changed() and audited() == []
    assert client.post(url, data=confirmation_form(html)).status_code in (200, 302)
    db.session.rollback()  # end the read snapshot: see what the requests wrote
    assert changed(), url


def test_plain_moves_do_not_ask(client, admin, unit):
    counter = unit.counters[0]
    counter.is_active = False
    db.session.commit()
    # restoring a counter is not disruptive: done at once
    assert client.post(f"/admin/counters/{counter.id}/active",
                       data={"active": "1"}).status_code == 302
    db.session.rollback()  # end the read snapshot: see what the requests wrote
    assert db.session.get(Counter, counter.id).is_active is True


def test_approval_says_it_cannot_be_undone_and_names_the_units_short_of_sample(
        client, login_as, make_unit, make_campaign, make_user, add_responses):
    short = make_unit("xa-it", "Xã Ít Phiếu")
    campaign = make_campaign([short], code="dot-dong", state=CampaignState.CLOSED)
    add_responses(campaign, short, 5)
    login_as(make_user("quantri", Role.ADMIN)[0])
    # The results page's button sends its form (the campaign alone): the question, not yet
    # the approval.
    results = client.get("/results/", query_string={"campaign": campaign.code})
    button = re.search(r'<form method="post" action="/results/approve">(.*?)</form>',
                       results.get_data(as_text=True), re.S).group(1)
    sent = dict(re.findall(r'<input[^>]* name="([^"]+)"[^>]* value="([^"]*)"', button))
    assert sent == {"campaign": campaign.code}
    page = client.post("/results/approve", data=sent)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Không thể hoàn tác" in html
    # A form sending the question's fields empty (as the button once did) is asked too.
    empty = client.post("/results/approve", data={**sent, "flagged": "", "shown": ""})
    assert empty.status_code == 200 and "Không thể hoàn tác" in empty.get_data(as_text=True)
    assert "1 đơn vị chưa đủ mẫu — chưa xếp hạng: Xã Ít Phiếu" in html
    assert 'name="confirm_flagged"' not in html  # nothing flagged: no box to tick
    assert db.session.scalar(select(ResultSnapshot)) is None
    flagged = re.search(r'name="flagged" type="hidden" value="(\d+)"', html).group(1)
    done = client.post("/results/approve", data={"campaign": campaign.code, "flagged": flagged})
    assert done.status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(ResultSnapshot)) is not None
