"""A numbered paper sheet answered online through its own QR code: its serial is its key."""

from __future__ import annotations

import pytest

from survey_app.domain.campaigns.instruments import instrument_of
from survey_app.domain.paper.serials import display_serial, new_serial
from survey_app.domain.submissions.responses import Submission, build_response
from survey_app.extensions import db
from survey_app.models import CampaignState, Channel, Sheet, SheetBatch, utcnow
from tests.public.public_support import full_answers, response_count, stored_responses


@pytest.fixture
def sheet(place) -> Sheet:
    batch = SheetBatch(campaign_id=place.campaign.id, unit_id=place.unit.id, sheet_count=2)
    batch.sheets = [Sheet(serial=new_serial()), Sheet(serial=new_serial())]
    db.session.add(batch)
    db.session.commit()
    return batch.sheets[0]


def test_a_sheet_answered_online_uses_its_serial_as_key(client, place, sheet, serve):
    form = serve(f"/p/{sheet.token}")
    assert f"Phiếu số {display_serial(sheet.serial)}" in form.html
    assert "Xã Thử" in form.html
    posted = form.post()
    assert posted.status_code == 303 and posted.headers["Location"] == f"/p/{sheet.token}/cam-on"
    assert "Cảm ơn Ông/Bà!" in client.get(posted.headers["Location"]).get_data(as_text=True)
    [response] = stored_responses()
    assert response.submission_key == sheet.serial and response.sheet_id == sheet.id
    assert response.channel is Channel.QR and response.counter_id is None
    assert (response.unit_id, response.campaign_id) == (place.unit.id, place.campaign.id)


def test_a_used_sheet_says_so(client, sheet, serve):
    form = serve(f"/p/{sheet.token}")
    assert form.post().status_code == 303
    assert form.post().status_code == 303  # the same answers again: a harmless replay
    page = client.get(f"/p/{sheet.token}")
    assert page.status_code == 200
    assert "Phiếu này đã được trả lời" in page.get_data(as_text=True)
    changed = form.post(full_answers("1"))
    assert changed.status_code == 409
    assert "Phiếu này đã được trả lời" in changed.get_data(as_text=True)
    assert response_count() == 1


def test_a_sheet_typed_in_from_paper_cannot_be_answered_online(client, place, sheet, serve):
    form = serve(f"/p/{sheet.token}")  # opened before staff typed the paper copy in
    version = place.campaign.instrument_version
    paper = build_response(campaign=place.campaign, unit=place.unit, version=version,
                           instrument=instrument_of(version),
                           submission=Submission(answers={"tc1": 5},
                                                 profile={"respondent_type": "to_chuc"}),
                           key=sheet.serial, channel=Channel.PAPER, submitted_at=utcnow(),
                           sheet_id=sheet.id)
    db.session.add(paper)
    db.session.commit()
    assert "Phiếu này đã được trả lời" in client.get(f"/p/{sheet.token}").get_data(as_text=True)
    refused = form.post()
    assert refused.status_code == 409
    assert "Phiếu này đã được trả lời" in refused.get_data(as_text=True)
    assert [r.channel for r in stored_responses()] == [Channel.PAPER]


def test_each_sheet_is_answered_on_its_own(place, sheet, serve):
    other = sheet.batch.sheets[1]
    assert serve(f"/p/{sheet.token}").post().status_code == 303
    assert serve(f"/p/{other.token}").post().status_code == 303
    assert {r.submission_key for r in stored_responses()} == {sheet.serial, other.serial}


def test_a_sheet_has_no_device_limit(client, place, sheet, serve):
    assert serve(place.url).post().status_code == 303  # this phone answered at the counter
    assert serve(f"/p/{sheet.token}").post().status_code == 303
    assert response_count() == 2


def test_keys_do_not_move_between_sheets_and_counters(client, place, sheet, serve):
    sheet_form = serve(f"/p/{sheet.token}")
    counter_form = serve(place.url)
    sheet_form.url, counter_form.url = counter_form.url, sheet_form.url
    assert sheet_form.post().status_code == 400
    assert counter_form.post().status_code == 400
    assert response_count() == 0


def test_a_sheet_of_a_closed_campaign_is_not_accepted(client, place, sheet, serve):
    form = serve(f"/p/{sheet.token}")
    place.campaign.transition_to(CampaignState.CLOSED)
    db.session.commit()
    page = client.get(f"/p/{sheet.token}")
    assert "đã kết thúc sớm vào ngày" in page.get_data(as_text=True)
    assert form.post().status_code == 410
    assert response_count() == 0


def test_an_unknown_sheet_token_is_a_404(client, sheet):
    assert client.get("/p/khong-co").status_code == 404
    assert client.post("/p/khong-co", data=full_answers()).status_code == 404
    assert client.get("/p/khong-co/cam-on").status_code == 404
