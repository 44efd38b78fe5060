"""Reviewing a burst: the list by burst, one response opened whole, one decision for many
(one audit event each, all or nothing), and the count of what waits in the menu."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from survey_app.domain.submissions import submissions
from survey_app.domain.submissions.public_survey import survey_at_counter
from survey_app.domain.submissions.responses import Submission
from survey_app.domain.submissions.review import KEEP, review_many
from survey_app.extensions import db
from survey_app.models import (
    AuditEvent,
    CampaignState,
    CampaignUnit,
    Channel,
    Response,
    ResponseStatus,
    Role,
)
from survey_app.support.dates import today_local
from tests.public.public_support import RATING_CODES
from tests.staff.staff_support import add_responses, fresh

COMMENT = '<script>alert("x")</script> Cán bộ nhiệt tình'
BURST_TITLE = "Nhiều phiếu từ cùng một địa chỉ mạng tại một quầy"


def send_burst(counter, count: int, address: str = "203.0.113.7") -> list[int]:
    """``count`` submissions from one address at the counter, as the citizen form stores them."""
    survey = survey_at_counter(counter, today_local(), kiosk=False)
    ids = []
    for number in range(count):
        answers = dict.fromkeys(RATING_CODES, 1)
        answers.update(tc1=1 + number % 5, tc2=2, kq1=0)
        submission = Submission(answers=answers, comment=COMMENT,
                                profile={"respondent_type": "ca_nhan", "gender": "nu"})
        ids.append(submissions.accept(survey, survey.new_key().value, submission,
                                      client_address=address).response_id)
    return ids


@pytest.fixture
def burst(make_unit, make_campaign, make_user, login_as):
    """Five responses of one burst and one flagged alone, in the signed-in staff's unit."""
    unit = make_unit("xa-canh-hien", "Xã Canh Hiển")
    campaign = make_campaign([unit], code="dot-2026")
    ids = send_burst(unit.counters[0], 5)
    add_responses(campaign, unit, Channel.PAPER, 1, flag="Gắn cờ thử", key="le")
    lone = db.session.scalar(select(func.max(Response.id)))
    user, _ = make_user("canbo-ch", units=[unit])
    login_as(user)
    return unit, campaign, user, ids, lone


def statuses(ids) -> list[ResponseStatus]:
    fresh()
    return [db.session.get(Response, i).status for i in ids]


def review_events() -> list[AuditEvent]:
    fresh()
    return list(db.session.scalars(select(AuditEvent).filter_by(action="response.review")
                                   .order_by(AuditEvent.id)))


def ticked(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'name="response_id" value="(\d+)"[^>]*checked', html)}


def listed(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'name="response_id" value="(\d+)"', html)}


def test_the_list_groups_the_burst_and_selects_it_whole_without_javascript(client, burst):
    *_, ids, lone = burst
    html = client.get("/staff/flagged").get_data(as_text=True)
    assert f"{BURST_TITLE} — 5 phiếu" in html and "Gắn cờ thử" in html
    assert listed(html) == {*ids, lone} and ticked(html) == set()
    key = db.session.get(Response, ids[0]).burst_key
    assert f'href="/staff/flagged?burst={key}">Chọn cả loạt này' in html
    whole = client.get("/staff/flagged", query_string={"burst": key}).get_data(as_text=True)
    assert listed(whole) == ticked(whole) == set(ids)
    every = client.get("/staff/flagged?select=all").get_data(as_text=True)
    assert ticked(every) == {*ids, lone}


def test_a_flagged_response_opens_with_its_answers(client, burst):
    *_, ids, _ = burst
    page = client.get(f"/staff/flagged/{ids[1]}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Nơi ngồi chờ có đủ chỗ ngồi" in html and "Không hài lòng (2)" in html
    assert "Rất không hài lòng (1)" in html and "Không áp dụng" in html
    assert "Cá nhân" in html and "Nữ" in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Cán bộ nhiệt tình" in html
    assert "<script>alert" not in html
    assert "thuộc loạt 4 phiếu trong 10 phút" in html and "Quét mã QR" in html
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", html)  # local dd/mm/yyyy HH:MM:SS
    assert "Xem và chọn cả loạt (5 phiếu đang chờ)" in html
    assert 'value="clear">Chấp nhận phiếu này' in html


def test_one_post_clears_a_whole_burst_with_an_audit_event_each(client, burst):
    *_, user, ids, lone = burst
    reply = client.post("/staff/flagged/review", data={"decision": "clear",
                                                        "response_id": [str(i) for i in ids]},
                        follow_redirects=True)
    assert "Đã ghi nhận “Chấp nhận” cho 5 phiếu; 5 phiếu được tính." in reply.get_data(
        as_text=True)
    assert statuses(ids) == [ResponseStatus.VALID] * 5
    assert statuses([lone]) == [ResponseStatus.FLAGGED]
    events = review_events()
    assert [int(e.object_id) for e in events] == ids
    assert {(e.user_id, e.before["status"], e.after["status"], e.after["decision"])
            for e in events} == {(user.id, "flagged", "valid", "clear")}
    assert events[0].before["burst"] == db.session.get(Response, ids[0]).burst_key
    assert all(db.session.get(Response, i).reviewed_by_id == user.id for i in ids)


def test_keeping_them_excluded_in_bulk(client, burst):
    *_, ids, lone = burst
    chosen = [ids[0], lone]
    assert client.post("/staff/flagged/review", data={
        "decision": "keep", "response_id": [str(i) for i in chosen]}).status_code == 303
    assert statuses(chosen) == [ResponseStatus.REJECTED] * 2
    assert [e.after["decision"] for e in review_events()] == ["keep", "keep"]


def test_responses_reviewed_meanwhile_keep_their_decision(client, burst):
    *_, user, ids, _ = burst
    review_many(ids[:1], KEEP, user)
    reply = client.post("/staff/flagged/review", data={
        "decision": "clear", "response_id": [str(i) for i in ids]}, follow_redirects=True)
    html = reply.get_data(as_text=True)
    assert "cho 4 phiếu" in html and "1 phiếu đã được xem xét trước đó" in html
    assert statuses(ids) == [ResponseStatus.REJECTED] + [ResponseStatus.VALID] * 4


@pytest.mark.parametrize(("chosen", "decision", "status", "message"), [
    (["{max}"], "clear", 404, "Không tìm thấy phiếu"),
    (["{first}", "{other}"], "clear", 403, "không thuộc đơn vị của bạn"),
    (["{first}", "2147483648"], "clear", 400, "không hợp lệ"),
    (["99999999999999999999"], "keep", 400, "không hợp lệ"),
    (["abc"], "clear", 400, "không hợp lệ"),
    (["-1"], "clear", 400, "không hợp lệ"),
    (["\u0663"], "clear", 400, "không hợp lệ"),
    (["{first}"], "", 400, "Chưa chọn quyết định"),
    (["{first}"], "xoa", 400, "Chưa chọn quyết định"),
    ([], "clear", 400, "Chưa chọn phiếu nào"),
])
def test_bad_bulk_requests_get_a_4xx_and_change_nothing(client, burst, make_unit,
                                                        chosen, decision, status, message):
    _, campaign, *_, ids, lone = burst
    other_unit = make_unit("xa-khac", "Xã Khác")
    campaign.targets.append(CampaignUnit(unit=other_unit, transactions_n=10))
    db.session.commit()
    add_responses(campaign, other_unit, Channel.QR, 1, flag="Khác", key="khac")
    other = db.session.scalar(select(func.max(Response.id)))
    values = {"max": other + 1, "first": ids[0], "other": other}
    data = {"response_id": [value.format(**values) for value in chosen]}
    if decision:
        data["decision"] = decision
    reply = client.post("/staff/flagged/review", data=data)
    html = reply.get_data(as_text=True)
    assert reply.status_code == status and message in html and 'lang="vi"' in html
    assert statuses([*ids, lone, other]) == [ResponseStatus.FLAGGED] * 7
    assert review_events() == []


def test_an_approved_campaign_s_burst_cannot_be_decided(client, burst):
    _, campaign, _, ids, _ = burst
    campaign.state = CampaignState.APPROVED
    db.session.commit()
    reply = client.post("/staff/flagged/review",
                        data={"decision": "clear", "response_id": [str(ids[0])]})
    assert reply.status_code == 409 and "đã được phê duyệt" in reply.get_data(as_text=True)
    assert statuses(ids[:1]) == [ResponseStatus.FLAGGED] and review_events() == []


def menu_label(client) -> str:
    html = client.get("/staff/progress").get_data(as_text=True)
    match = re.search(r'<nav aria-label="Chức năng">.*?href="/staff/flagged"[^>]*>([^<]*)</a>',
                      html, re.S)
    return match.group(1) if match else ""


def test_the_menu_shows_how_many_wait_for_the_user(client, burst, make_unit, make_user,
                                                   login_as):
    _, campaign, user, ids, _ = burst
    assert menu_label(client) == "Phiếu cần xem xét (6)"
    review_many(ids, KEEP, user)
    assert menu_label(client) == "Phiếu cần xem xét (1)"
    stranger, _ = make_user("nguoi-la", units=[make_unit("xa-khac", "Xã Khác")])
    login_as(stranger)
    assert menu_label(client) == "Phiếu cần xem xét"
    admin, _ = make_user("quantri", Role.ADMIN)
    login_as(admin)
    assert menu_label(client) == "Phiếu cần xem xét (1)"
    campaign.state = CampaignState.APPROVED  # approved: nothing left to review
    db.session.commit()
    assert menu_label(client) == "Phiếu cần xem xét"
