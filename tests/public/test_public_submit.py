"""Submitting the citizen form: stored once, replays harmless, conflicts refused, time recorded."""

from __future__ import annotations

from datetime import UTC, datetime

from survey_app.domain.campaigns.instruments import published_version
from survey_app.extensions import db
from survey_app.models import Campaign, CampaignState, Channel, ResponseStatus
from survey_app.support.dates import today_local
from tests.public.public_support import (
    RATING_CODES,
    full_answers,
    response_count,
    stored_responses,
)


def test_a_submission_is_stored_once_and_thanked(client, place, serve):
    form = serve(place.url)
    before = datetime.now(UTC)
    posted = form.post({**full_answers("5", tc1="0", field="dat_dai", gender="nu",
                                       age_band="25-34", submission_mode="truc_tiep"),
                        "comment": "  Cán bộ nhiệt tình.  "},
                       environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert posted.status_code == 303
    assert posted.headers["Location"] == f"{place.url}/cam-on"
    thanks = client.get(posted.headers["Location"])
    assert thanks.status_code == 200 and "Cảm ơn Ông/Bà!" in thanks.get_data(as_text=True)
    [response] = stored_responses()
    assert response.channel is Channel.QR
    assert (response.counter_id, response.unit_id, response.campaign_id) == \
        (place.counter.id, place.unit.id, place.campaign.id)
    assert response.instrument_version_id == place.campaign.instrument_version_id
    assert before <= response.submitted_at <= datetime.now(UTC)
    assert response.received_at == response.submitted_at
    assert response.status is ResponseStatus.VALID and response.flag_reason is None
    assert response.n_rated == 21
    assert response.answer_values() == {**dict.fromkeys(RATING_CODES, 5), "tc1": 0}
    assert (response.respondent_type, response.field, response.gender, response.age_band,
            response.submission_mode) == ("ca_nhan", "dat_dai", "nu", "25-34", "truc_tiep")
    assert response.comment == "Cán bộ nhiệt tình."
    assert response.sheet_id is None and len(response.submission_key) == 32


def test_a_double_tap_or_a_retry_stores_one_response(client, place, serve):
    form = serve(place.url)
    first = form.post()
    second = form.post()  # the same key and answers: a double tap, or a retry after a lost reply
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert response_count() == 1


def test_reload_and_back_then_submit_again_count_once(client, place, serve):
    form = serve(place.url)
    thanks_url = form.post().headers["Location"]
    assert client.get(thanks_url).status_code == 200
    assert client.get(thanks_url).status_code == 200  # reload
    # "Back" shows either the page kept in history (same key: a replay)...
    assert form.post().headers["Location"] == thanks_url
    # ...or a fresh copy, which now tells this phone it has already answered.
    again = client.get(place.url).get_data(as_text=True)
    assert "Ông/Bà đã gửi phiếu" in again and 'name="k"' not in again
    assert response_count() == 1


def test_the_same_key_with_other_answers_is_a_conflict(client, place, serve):
    form = serve(place.url)
    assert form.post(full_answers("4")).status_code == 303
    conflict = form.post(full_answers("1"))
    assert conflict.status_code == 409
    assert "đã được gửi trước đó với câu trả lời khác" in conflict.get_data(as_text=True)
    [response] = stored_responses()
    assert set(response.answer_values().values()) == {4}


def test_the_answers_are_checked_against_the_version_the_form_was_served_with(
        client, place, serve):
    form = serve(place.url)
    # The campaign is pointed at another questionnaire after the form was served.
    place.campaign.instrument_version = published_version("sipas-1001-dvhcc")
    db.session.commit()
    assert form.post(full_answers("4", tc4="2", cc6="5")).status_code == 303
    [response] = stored_responses()
    assert response.instrument_version_id == published_version("sipas-2640").id
    assert response.answer_values()["cc6"] == 5  # an item sipas-1001 does not have


def test_a_form_served_before_the_campaign_closed_is_not_stored(client, place, serve):
    stored = serve(place.url)
    late = serve(place.url, using=client.application.test_client())
    assert stored.post().status_code == 303
    db.session.rollback()  # a fresh transaction: a request has written meanwhile
    campaign = db.session.get(Campaign, place.campaign.id)
    campaign.transition_to(CampaignState.CLOSED)
    db.session.commit()
    refused = late.post()
    assert refused.status_code == 410
    html = refused.get_data(as_text=True)
    assert "Phiếu chưa được ghi nhận" in html
    # closed before its deadline: the page says so, and on which (local) day
    assert f"đã kết thúc sớm vào ngày {today_local():%d/%m/%Y}" in html
    assert f"dự kiến đến ngày {campaign.deadline:%d/%m/%Y}" in html
    # A retry of what was stored before closing is still thanked.
    assert stored.post().status_code == 303
    assert response_count() == 1


def test_flagged_responses_are_thanked_like_any_other(client, place, serve, app):
    app.config["BURST_PER_COUNTER"] = 0
    posted = serve(place.url).post()
    assert posted.status_code == 303
    assert "Cảm ơn" in client.get(posted.headers["Location"]).get_data(as_text=True)
    [response] = stored_responses()
    assert response.status is ResponseStatus.FLAGGED



def test_answers_to_the_campaigns_optional_block_are_stored_on_their_scale(
        client, make_unit, make_campaign, serve):
    unit = make_unit()
    make_campaign([unit], instrument="sipas-1001-dvhcc", optional_blocks=["harassment"])
    form = serve(f"/s/{unit.counters[0].token}")
    ratings = dict.fromkeys(["tc1", "tc2", "tc3", "tt1", "tt2", "tt3", "tt4", "cc1"], "4")
    answers = {**ratings, "respondent_type": "to_chuc"}
    refused = form.post({**answers, "ph1": "5"})  # the occurrence scale stops at 3
    assert refused.status_code == 422
    assert "Câu ph1: giá trị 5 không hợp lệ" in refused.get_data(as_text=True)
    assert form.post({**answers, "ph1": "3", "ph2": "1"}).status_code == 303
    [response] = stored_responses()
    assert response.answer_values() == {**dict.fromkeys(ratings, 4), "ph1": 3, "ph2": 1}
    assert response.n_rated == 8
