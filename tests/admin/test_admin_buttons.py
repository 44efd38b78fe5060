"""The action buttons of the admin lists, pressed as a browser would with CSRF protection on:
each small form as rendered (action, CSRF token, hidden values) does what its label says."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Campaign, CampaignState, Counter, Role, Unit, User

FORM = re.compile(r'<form method="post" action="([^"]+)" class="inline">(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
CONFIRM = re.compile(r'<form method="post" action="([^"]+)" class="confirm">(.*?)</form>', re.S)
BUTTON = re.compile(r'<button type="submit"[^>]*>(.*?)</button>', re.S)


@pytest.fixture
def config_overrides() -> dict:
    return {"WTF_CSRF_ENABLED": True}


def press(client, page: str, label: str, action_part: str, confirm: bool = False):
    """Submit the page's small form whose button reads ``label`` and whose address contains
    ``action_part``; with ``confirm``, the answer must be the confirmation page, whose danger
    button is then pressed too (as a person who read it would)."""
    text = client.get(page).get_data(as_text=True)
    for action, inner in FORM.findall(text):
        button = BUTTON.search(inner)
        if button and button.group(1).strip() == label and action_part in action:
            fields = {name: html.unescape(value) for name, value in HIDDEN.findall(inner)}
            assert fields.get("csrf_token"), "the button's form carries no CSRF token"
            reply = client.post(html.unescape(action), data=fields)
            if not confirm:
                return reply
            return press_confirmation(client, reply)
    raise AssertionError(f"no button {label!r} for {action_part!r} on {page}")


def press_confirmation(client, reply):
    """The confirmation page's danger button, with the fields and CSRF token it carries."""
    text = reply.get_data(as_text=True)
    found = CONFIRM.search(text)
    assert reply.status_code == 200 and found, "no confirmation page was shown"
    fields = {name: html.unescape(value) for name, value in HIDDEN.findall(found.group(2))}
    assert fields.get("csrf_token") and fields.get("confirmed") == "1"
    assert '<button type="submit" class="danger">' in found.group(2)
    return client.post(html.unescape(found.group(1)), data=fields)


def fresh(model, ident):
    db.session.rollback()
    return db.session.get(model, ident)


def test_unit_counter_user_and_campaign_buttons_work_as_rendered(
        client, make_unit, make_user, make_campaign, login_as):
    unit = make_unit()
    counter = db.session.scalar(select(Counter).where(Counter.unit_id == unit.id))
    staff, _ = make_user("canbo-nut", units=[unit])
    campaign = make_campaign([unit], state=CampaignState.DRAFT)
    login_as(make_user("quantri-nut", Role.ADMIN)[0])
    ids = (unit.id, counter.id, staff.id, campaign.id)
    old_token = counter.token

    done = press(client, "/admin/units", "Ngừng hoạt động", f"/units/{ids[0]}/", confirm=True)
    assert done.status_code == 302
    assert fresh(Unit, ids[0]).is_active is False
    assert press(client, "/admin/units", "Kích hoạt lại", f"/units/{ids[0]}/").status_code == 302
    assert fresh(Unit, ids[0]).is_active is True

    counters = f"/admin/units/{ids[0]}/counters"
    done = press(client, counters, "Cấp mã QR mới", f"/counters/{ids[1]}/", confirm=True)
    assert done.status_code == 302
    assert fresh(Counter, ids[1]).token != old_token
    done = press(client, counters, "Thu hồi", f"/counters/{ids[1]}/", confirm=True)
    assert done.status_code == 302
    assert fresh(Counter, ids[1]).is_active is False

    done = press(client, "/admin/users", "Khóa", f"/users/{ids[2]}/", confirm=True)
    assert done.status_code == 302
    assert fresh(User, ids[2]).active is False
    reset = press(client, "/admin/users", "Cấp lại mật khẩu", f"/users/{ids[2]}/",
                  confirm=True)
    assert reset.status_code == 200 and "canbo-nut" in reset.get_data(as_text=True)
    assert fresh(User, ids[2]).must_change_password is True

    detail = f"/admin/campaigns/{ids[3]}"
    labels = [BUTTON.search(inner).group(1).strip()
              for _, inner in FORM.findall(client.get(detail).get_data(as_text=True))]
    opening = next(label for label in labels if "Mở" in label)
    assert press(client, detail, opening, "/state").status_code == 302
    assert fresh(Campaign, ids[3]).state is CampaignState.OPEN
