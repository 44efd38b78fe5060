"""Double entry: a second person re-types a sheet; differences are shown and resolved."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey_app.domain.paper.sheet_batches import create_batch
from survey_app.extensions import db
from survey_app.models import (
    AuditEvent,
    Campaign,
    CampaignState,
    Response,
    SheetBatch,
    VerificationEntry,
)
from tests.staff.staff_support import fresh, typed


@pytest.fixture
def typed_once(client, make_unit, make_campaign, make_user, login_as):
    """One sheet typed by a first person; a second person of the same unit is logged in."""
    unit = make_unit("xa-canh-hien", "Xã Canh Hiển")
    campaign = make_campaign([unit], code="dot-2026")
    first, _ = make_user("nguoi-mot", units=[unit])
    second, _ = make_user("nguoi-hai", units=[unit])
    batch_id = create_batch(campaign.id, unit.id, 3, first)
    serial = db.session.get(SheetBatch, batch_id).sheets[0].serial
    login_as(first)
    assert client.post("/staff/entry", data=typed(serial)).status_code == 303
    login_as(second)
    return serial, first, second


def verification() -> VerificationEntry | None:
    fresh()
    return db.session.scalar(select(VerificationEntry))


def test_matching_second_typing_is_recorded_as_matching(client, typed_once):
    serial, _, second = typed_once
    reply = client.post("/staff/verify", data=typed(serial))
    assert reply.status_code == 303
    entry = verification()
    assert entry.matches and entry.entered_by_id == second.id and entry.resolved_at is not None
    assert "khớp nhau" in client.get(reply.location).get_data(as_text=True)


def test_the_first_typist_cannot_verify_their_own_sheet(client, login_as, typed_once):
    serial, first, _ = typed_once
    login_as(first)
    reply = client.post("/staff/verify", data=typed(serial))
    assert reply.status_code == 422
    assert "không thể tự nhập kiểm tra" in reply.get_data(as_text=True)
    assert verification() is None


def test_differences_are_shown_side_by_side_and_resolved_with_audit(client, typed_once):
    serial, _, second = typed_once
    reply = client.post("/staff/verify", data=typed(serial, tc2="2", gender="nam"))
    assert reply.status_code == 303
    entry = verification()
    assert not entry.matches and entry.resolved_at is None
    page = client.get(reply.location)
    html = page.get_data(as_text=True)
    assert "Câu 2. Trang thiết bị phục vụ người dân đầy đủ" in html
    assert "4 – Hài lòng" in html and "2 – Không hài lòng" in html
    assert "Nữ" in html and "Nam" in html
    assert "Câu 1." not in html  # only the differences are listed
    # Leaving a difference undecided is named, and nothing changes.
    partial = client.post(reply.location, data={"c-tc2": "second"})
    assert partial.status_code == 422 and "Chưa chọn giá trị" in partial.get_data(as_text=True)
    assert verification().resolved_at is None
    done = client.post(reply.location, data={"c-tc2": "second", "c-gender": "first"})
    assert done.status_code == 303
    entry = verification()
    assert entry.resolved_by_id == second.id and entry.resolved_at is not None
    response = db.session.scalar(select(Response))
    assert response.answer_values()["tc2"] == 2 and response.gender == "nu"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "paper_entry.resolve"))
    assert event.before["answers"]["tc2"] == 4 and event.after["answers"]["tc2"] == 2


def test_a_sheet_not_yet_typed_cannot_be_verified(client, typed_once):
    fresh()
    other = db.session.scalars(select(SheetBatch)).first().sheets[1].serial
    reply = client.post("/staff/verify", data=typed(other))
    assert reply.status_code == 422 and "chưa được nhập lần đầu" in reply.get_data(as_text=True)
    assert verification() is None


def test_staff_of_another_unit_cannot_open_or_resolve(client, typed_once, make_unit, make_user,
                                                      login_as):
    serial, _, _ = typed_once
    reply = client.post("/staff/verify", data=typed(serial, tc2="2"))
    entry_id = verification().id
    stranger, _ = make_user("nguoi-la", units=[make_unit("xa-khac", "Xã Khác")])
    login_as(stranger)
    assert client.get(reply.location).status_code == 403
    assert client.post(reply.location, data={"c-tc2": "second"}).status_code == 403
    assert client.get(f"/staff/verify/{entry_id + 1}").status_code == 404
    assert verification().resolved_at is None
    assert db.session.scalar(select(Response)).answer_values()["tc2"] == 4


def test_an_undecided_difference_is_named_by_its_question(client, typed_once):
    serial, _, _ = typed_once
    reply = client.post("/staff/verify", data=typed(serial, comment="Khác"))
    partial = client.post(reply.location, data={})
    html = partial.get_data(as_text=True)
    assert partial.status_code == 422
    assert "Chưa chọn giá trị cho “comment”" not in html and "Chưa chọn giá trị cho “" in html


def test_an_approved_campaign_s_differences_are_not_resolved(client, typed_once):
    serial, _, _ = typed_once
    reply = client.post("/staff/verify", data=typed(serial, tc2="2"))
    fresh()
    db.session.scalar(select(Campaign)).state = CampaignState.APPROVED
    db.session.commit()
    done = client.post(reply.location, data={"c-tc2": "second"})
    assert done.status_code == 422 and "đã được phê duyệt" in done.get_data(as_text=True)
    assert verification().resolved_at is None
    assert db.session.scalar(select(Response)).answer_values()["tc2"] == 4
