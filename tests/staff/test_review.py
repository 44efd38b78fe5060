"""Flagged responses: listed with their reason, cleared or kept excluded, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent, CampaignState, Channel, Response, ResponseStatus
from tests.staff.staff_support import add_responses, fresh

REASON = "Quá 30 phiếu từ một quầy trong 10 phút"


@pytest.fixture
def flagged_setup(make_unit, make_campaign, make_user, login_as):
    unit = make_unit("xa-canh-hien", "Xã Canh Hiển")
    campaign = make_campaign([unit], code="dot-2026")
    add_responses(campaign, unit, Channel.QR, 2, flag=REASON)
    user, _ = make_user("canbo-ch", units=[unit])
    login_as(user)
    ids = list(db.session.scalars(select(Response.id).order_by(Response.id)))
    return unit, campaign, user, ids


def status_of(response_id: int) -> Response:
    fresh()
    return db.session.get(Response, response_id)


def test_list_shows_reason_channel_and_unit(client, flagged_setup):
    html = client.get("/staff/flagged").get_data(as_text=True)
    assert REASON in html and "Quét mã QR" in html and "Xã Canh Hiển" in html
    assert "Chấp nhận" in html and "Giữ loại trừ" in html and 'class="grid"' in html


def test_clear_and_keep_are_recorded_and_audited(client, flagged_setup):
    _, _, user, (first, second) = flagged_setup
    assert client.post(f"/staff/flagged/{first}", data={"decision": "clear"}).status_code == 303
    assert client.post(f"/staff/flagged/{second}", data={"decision": "keep"}).status_code == 303
    cleared, kept = status_of(first), status_of(second)
    # kept out by staff: "rejected", not "invalid" (too few items rated) — reports tell them
    # apart and the validity-rule sensitivity never counts rejected responses
    assert cleared.status is ResponseStatus.VALID and kept.status is ResponseStatus.REJECTED
    assert cleared.reviewed_by_id == user.id and cleared.reviewed_at is not None
    assert kept.flag_reason == REASON  # the reason stays for the reports
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "response.review")
                                .order_by(AuditEvent.id)).all()
    assert [(e.object_id, e.after["status"]) for e in events] == \
        [(str(first), "valid"), (str(second), "rejected")]
    assert events[0].before["status"] == "flagged" and events[0].user_id == user.id
    assert REASON not in client.get("/staff/flagged").get_data(as_text=True)


def test_a_second_decision_changes_nothing(client, flagged_setup):
    first = flagged_setup[3][0]
    client.post(f"/staff/flagged/{first}", data={"decision": "keep"})
    reply = client.post(f"/staff/flagged/{first}", data={"decision": "clear"},
                        follow_redirects=True)
    assert "đã được xem xét" in reply.get_data(as_text=True)
    assert status_of(first).status is ResponseStatus.REJECTED


def test_unknown_decision_is_refused_and_get_only_shows_the_response(client, flagged_setup):
    first = flagged_setup[3][0]
    assert client.post(f"/staff/flagged/{first}", data={"decision": "xoa"}).status_code == 400
    shown = client.get(f"/staff/flagged/{first}")
    assert shown.status_code == 200 and REASON in shown.get_data(as_text=True)
    assert status_of(first).status is ResponseStatus.FLAGGED


def test_staff_of_another_unit_cannot_see_or_decide(client, flagged_setup, make_unit,
                                                    make_user, login_as):
    first = flagged_setup[3][0]
    stranger, _ = make_user("nguoi-la", units=[make_unit("xa-khac", "Xã Khác")])
    login_as(stranger)
    assert REASON not in client.get("/staff/flagged").get_data(as_text=True)
    assert client.get(f"/staff/flagged/{first}").status_code == 403
    assert client.post(f"/staff/flagged/{first}", data={"decision": "clear"}).status_code == 403
    assert client.post(f"/staff/flagged/{first + 100}",
                       data={"decision": "clear"}).status_code == 404
    reread = status_of(first)
    assert reread.status is ResponseStatus.FLAGGED and reread.reviewed_by_id is None
    assert db.session.scalar(select(AuditEvent.id)
                             .where(AuditEvent.action == "response.review")) is None


def test_an_approved_campaign_s_flags_are_neither_listed_nor_changed(client, flagged_setup):
    """Approval freezes the data under the snapshot: a stale page cannot clear a flag."""
    _, campaign, _, (first, _) = flagged_setup
    campaign.state = CampaignState.APPROVED
    db.session.commit()
    assert REASON not in client.get("/staff/flagged").get_data(as_text=True)
    reply = client.post(f"/staff/flagged/{first}", data={"decision": "clear"},
                        follow_redirects=True)
    assert "đã được phê duyệt" in reply.get_data(as_text=True)
    assert status_of(first).status is ResponseStatus.FLAGGED
    assert db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.action == "response.review")) is None
