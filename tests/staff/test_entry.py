"""Paper entry: serial checks, digits per item, one response per sheet, corrections audited."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from survey_app.domain.paper.serials import damm_digit, display_serial
from survey_app.extensions import db
from survey_app.models import (
    AuditEvent,
    CampaignState,
    CampaignUnit,
    Channel,
    Response,
    ResponseStatus,
    Sheet,
)
from tests.staff.staff_support import RATING_CODES, fresh, typed


def stored() -> list[Response]:
    fresh()
    return list(db.session.scalars(select(Response).order_by(Response.id)))


def test_entry_page_is_keyboard_first(client, desk):
    html = client.get("/staff/entry").get_data(as_text=True)
    assert 'id="f-serial"' in html and "autofocus" in html
    assert html.count('inputmode="numeric" maxlength="1"') == 22
    assert 'for="f-tc1"' in html and "Nơi ngồi chờ có đủ chỗ ngồi" in html
    assert "entry.js" in html and "nonce=" in html


def test_a_typed_sheet_is_stored_as_paper_with_its_typist_and_audited(client, desk):
    unit, campaign, user, serials = desk
    reply = client.post("/staff/entry", data=typed(serials[0], tc1="5", pa4="0"))
    assert reply.status_code == 303
    [response] = stored()
    assert response.channel is Channel.PAPER and response.entered_by_id == user.id
    assert response.sheet_id is not None
    assert response.submission_key == serials[0] and response.unit_id == unit.id
    assert response.status is ResponseStatus.VALID and response.campaign_id == campaign.id
    answers = response.answer_values()
    assert answers["tc1"] == 5 and answers["pa4"] == 0 and answers["tt1"] == 4
    assert response.gender == "nu" and response.comment == "Cán bộ nhiệt tình"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "paper_entry.create"))
    assert event.user_id == user.id and event.object_id == str(response.id)
    follow = client.get(reply.location).get_data(as_text=True)
    assert f"Đã lưu phiếu số {display_serial(serials[0])}" in follow


def test_wrong_check_digit_is_named_and_every_typed_value_kept(client, desk):
    serial = desk[3][0]
    wrong = serial[:7] + str((int(serial[7]) + 1) % 10)
    assert damm_digit(wrong) != "0"
    reply = client.post("/staff/entry", data=typed(wrong, cc2="2", comment="Giữ lại ý kiến"))
    assert reply.status_code == 422
    html = reply.get_data(as_text=True)
    assert "Số phiếu sai chữ số kiểm tra" in html
    assert 'name="cc2" class="digit" value="2"' in html
    assert 'value="Giữ lại ý kiến"' in html and 'value="nu" selected' in html
    assert stored() == []


def test_bad_digits_are_named_per_item_and_nothing_is_written(client, desk):
    reply = client.post("/staff/entry", data=typed(desk[3][0], tc2="7", kq1="x"))
    assert reply.status_code == 422
    html = reply.get_data(as_text=True)
    assert "Câu 2: chỉ nhập một chữ số từ 1 đến 5" in html
    assert "Câu 16: chỉ nhập một chữ số từ 1 đến 5" in html
    assert 'name="tc2" class="digit" value="7"' in html
    # The cursor waits in the first field named, not back at the serial.
    assert re.search(r'<input[^>]*id="f-tc2"[^>]*autofocus', html)
    assert not re.search(r'<input[^>]*id="f-serial"[^>]*autofocus', html)
    assert stored() == []


def test_missing_respondent_type_is_named(client, desk):
    reply = client.post("/staff/entry", data=typed(desk[3][0], respondent_type=""))
    assert reply.status_code == 422
    assert "Vui lòng chọn một ý cho câu “Ông/Bà là”." in reply.get_data(as_text=True)
    assert stored() == []


def test_a_sheet_with_few_ratings_is_kept_as_invalid(client, desk):
    form = typed(desk[3][0])
    for code in RATING_CODES[3:]:
        form[code] = ""
    assert client.post("/staff/entry", data=form).status_code == 303
    [response] = stored()
    assert response.status is ResponseStatus.INVALID and response.n_rated == 3


def test_a_serial_is_used_once_on_paper(client, desk):
    serial = desk[3][0]
    assert client.post("/staff/entry", data=typed(serial)).status_code == 303
    again = client.post("/staff/entry", data=typed(serial, digit="2"))
    assert again.status_code == 422
    assert "đã được nhập hoặc trả lời trực tuyến" in again.get_data(as_text=True)
    assert len(stored()) == 1 and stored()[0].answer_values()["tc1"] == 4


def test_a_serial_answered_online_cannot_be_typed_and_vice_versa(client, desk):
    first, second = desk[3][0], desk[3][1]
    sheet = db.session.scalar(select(Sheet).where(Sheet.serial == first))
    page = client.get(f"/p/{sheet.token}")
    assert page.status_code == 200
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">',
                             page.get_data(as_text=True)))
    online = {**hidden, **dict.fromkeys(RATING_CODES, "5"), "respondent_type": "ca_nhan"}
    assert client.post(f"/p/{sheet.token}", data=online).status_code == 303
    refused = client.post("/staff/entry", data=typed(first))
    assert refused.status_code == 422
    assert "đã được nhập hoặc trả lời trực tuyến" in refused.get_data(as_text=True)
    # Typed first on paper: the sheet's online link then refuses.
    assert client.post("/staff/entry", data=typed(second)).status_code == 303
    other = db.session.scalar(select(Sheet).where(Sheet.serial == second))
    answered = client.get(f"/p/{other.token}")
    assert "đã được trả lời" in answered.get_data(as_text=True)
    channels = sorted(r.channel.value for r in stored())
    assert channels == ["paper", "qr"]


def test_unknown_serial_and_another_units_serial_are_refused(client, desk, make_unit,
                                                             make_user, login_as):
    _, campaign, _, serials = desk
    body = "1234567"
    unknown = body + damm_digit(body)
    reply = client.post("/staff/entry", data=typed(unknown))
    assert reply.status_code == 422 and "Không có phiếu số" in reply.get_data(as_text=True)
    other = make_unit("xa-khac", "Xã Khác")
    campaign.targets.append(CampaignUnit(unit=other, transactions_n=100))
    db.session.commit()
    stranger, _ = make_user("nguoi-la", units=[other])
    login_as(stranger)
    refused = client.post("/staff/entry", data=typed(serials[0]))
    assert refused.status_code == 422
    assert "không thuộc đơn vị của bạn" in refused.get_data(as_text=True)
    assert stored() == []


def test_correction_is_audited_with_before_and_after(client, desk):
    serial = desk[3][0]
    client.post("/staff/entry", data=typed(serial))
    [response] = stored()
    page = client.get(f"/staff/entry/{response.id}/edit")
    assert page.status_code == 200 and 'name="tc1" class="digit" value="4"' in \
        page.get_data(as_text=True)
    form = typed(serial, tc1="1", gender="nam")
    form.pop("serial")
    assert client.post(f"/staff/entry/{response.id}/edit", data=form).status_code == 303
    [response] = stored()
    assert response.answer_values()["tc1"] == 1 and response.gender == "nam"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "paper_entry.correct"))
    assert event.before["answers"]["tc1"] == 4 and event.after["answers"]["tc1"] == 1
    assert event.before["profile"]["gender"] == "nu" and event.after["profile"]["gender"] == "nam"


def test_correction_with_a_bad_digit_changes_nothing(client, desk):
    client.post("/staff/entry", data=typed(desk[3][0]))
    [response] = stored()
    form = typed(desk[3][0], tc1="9")
    reply = client.post(f"/staff/entry/{response.id}/edit", data=form)
    assert reply.status_code == 422
    assert stored()[0].answer_values()["tc1"] == 4
    assert db.session.scalar(select(func.count(AuditEvent.id))
                             .where(AuditEvent.action == "paper_entry.correct")) == 0


def test_staff_of_another_unit_cannot_open_or_correct(client, desk, make_unit, make_user,
                                                      login_as):
    client.post("/staff/entry", data=typed(desk[3][0]))
    [response] = stored()
    other = make_unit("xa-khac", "Xã Khác")
    stranger, _ = make_user("nguoi-la", units=[other])
    login_as(stranger)
    assert client.get(f"/staff/entry/{response.id}/edit").status_code == 403
    assert client.post(f"/staff/entry/{response.id}/edit",
                       data=typed(desk[3][0], tc1="1")).status_code == 403
    assert client.get(f"/staff/entry/{response.id + 1}/edit").status_code == 404
    assert stored()[0].answer_values()["tc1"] == 4


class TestExpiredForm:
    @pytest.fixture
    def config_overrides(self, config_overrides):
        return {**config_overrides, "WTF_CSRF_ENABLED": True}

    def test_an_expired_form_keeps_every_typed_value_and_saves_nothing(self, client, desk):
        _, _, _, serials = desk
        client.get("/staff/entry")  # the session now holds a token; the post carries another
        reply = client.post("/staff/entry", data={**typed(serials[0], "3", comment="Rất tốt"),
                                                  "csrf_token": "het-han"})
        html = reply.get_data(as_text=True)
        assert reply.status_code == 400
        assert "Phiên làm việc đã hết hạn" in html and "vẫn được giữ" in html
        assert f'value="{display_serial(serials[0])}"' in html
        assert html.count('value="3"') >= len(RATING_CODES) and "Rất tốt" in html
        assert stored() == []
        # The page carries a fresh token: sending it again saves the sheet.
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        assert token is not None
        again = client.post("/staff/entry", data={**typed(serials[0], "3"),
                                                  "csrf_token": token.group(1)})
        assert again.status_code == 303
        assert len(stored()) == 1


def test_a_correction_after_the_campaign_closed_ends_on_a_page_that_exists(client, desk):
    _, campaign, _, serials = desk
    client.post("/staff/entry", data=typed(serials[0]))
    [response] = stored()
    campaign = db.session.merge(campaign)
    campaign.state = CampaignState.CLOSED
    db.session.commit()
    form = typed(serials[0], tc1="2")
    form.pop("serial")
    reply = client.post(f"/staff/entry/{response.id}/edit", data=form, follow_redirects=True)
    assert reply.status_code == 200 and "Đã sửa phiếu số" in reply.get_data(as_text=True)
    assert stored()[0].answer_values()["tc1"] == 2
