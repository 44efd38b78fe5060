"""Stuffing cannot move a score: bursts are flagged whole, kept, and counted only once staff
clear them (issue "results Phòng Nội vụ can defend", item 7).

Every phone below is a fresh test client: no device cookie, as after clearing cookies.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from survey_app.domain.campaigns.instruments import instrument_of
from survey_app.domain.results.results import compute_campaign_results
from survey_app.domain.submissions import submissions
from survey_app.domain.submissions.antistuffing import client_hash
from survey_app.domain.submissions.responses import Submission, build_response
from survey_app.domain.submissions.review import CLEAR, review_many
from survey_app.extensions import db
from survey_app.models import AuditEvent, CampaignState, Channel, Response, ResponseStatus, utcnow
from tests.public.public_support import (
    RATING_CODES,
    full_answers,
    stored_responses,
    varied_answers,
)

PHONE = "203.0.113.7"
FLAGGED, VALID = ResponseStatus.FLAGGED, ResponseStatus.VALID


def send(app, serve, url: str, answers: dict[str, str], address: str = PHONE):
    """One response from a phone that has just cleared its cookies."""
    reply = serve(url, using=app.test_client()).post(answers,
                                                     environ_base={"REMOTE_ADDR": address})
    assert reply.status_code == 303  # the person always sees the thank-you page
    return reply


def unit_result(campaign, unit_code: str) -> tuple[float | None, int]:
    """The unit's overall index and number of counted responses, as the results show them."""
    db.session.rollback()
    [entry] = [u for u in compute_campaign_results(campaign)["units"]
               if u["unit_code"] == unit_code]
    return entry["overall"]["index"], entry["n_valid"]


def statuses(responses: list[Response]) -> list[ResponseStatus]:
    return [response.status for response in responses]


@pytest.fixture
def counted(app, place, serve):
    """Six genuine responses at the counter, from six phones, and the unit's result."""
    for number in range(6):
        send(app, serve, place.url, varied_answers(number), f"198.51.100.{number}")
    assert statuses(stored_responses()) == [VALID] * 6
    return unit_result(place.campaign, place.unit.code)


def test_one_phone_clearing_its_cookies_cannot_move_the_index(app, place, serve, counted):
    for _ in range(10):
        send(app, serve, place.url, full_answers("1"))
    burst = stored_responses()[6:]
    assert statuses(burst) == [FLAGGED] * 10
    assert unit_result(place.campaign, place.unit.code) == counted
    assert len({response.burst_key for response in burst}) == 1
    assert burst[0].flag_reason == (
        "Nhiều phiếu từ cùng một địa chỉ mạng tại một quầy: thuộc loạt 4 phiếu trong 10 phút "
        "(ngưỡng 3 phiếu), được gắn cờ khi loạt vượt ngưỡng.")
    assert burst[9].flag_reason == ("Nhiều phiếu từ cùng một địa chỉ mạng tại một quầy: "
                                    "phiếu thứ 10 trong 10 phút (ngưỡng 3 phiếu).")


def test_staff_clearing_the_burst_brings_it_in(app, client, place, serve, counted, make_user,
                                               login_as):
    for _ in range(10):
        send(app, serve, place.url, full_answers("1"))
    burst = [response.id for response in stored_responses()[6:]]
    login_as(make_user("canbo-xa", units=[place.unit])[0])
    reply = client.post("/staff/flagged/review",
                        data={"decision": "clear", "response_id": [str(i) for i in burst]})
    assert reply.status_code == 303
    index, n_valid = unit_result(place.campaign, place.unit.code)
    assert n_valid == counted[1] + 10 and index < counted[0]


def test_varied_answers_from_one_phone_are_flagged_whole(app, place, serve):
    for number in range(10):
        send(app, serve, place.url, varied_answers(number))
    responses = stored_responses()
    assert statuses(responses) == [FLAGGED] * 10
    assert all("cùng một địa chỉ mạng tại một quầy" in r.flag_reason for r in responses)


def test_three_responses_from_one_phone_stay_counted(app, place, serve):
    for number in range(3):
        send(app, serve, place.url, varied_answers(number))
    assert statuses(stored_responses()) == [VALID] * 3


def test_identical_answers_from_different_phones_are_flagged(app, place, serve):
    pattern = varied_answers(7)
    for number in range(3):
        send(app, serve, place.url, pattern, f"198.51.100.{number}")
    assert statuses(stored_responses()) == [VALID] * 3
    for number in range(3, 5):
        send(app, serve, place.url, pattern, f"198.51.100.{number}")
    responses = stored_responses()
    assert statuses(responses) == [FLAGGED] * 5
    assert responses[4].flag_reason == ("Nhiều phiếu có câu trả lời giống hệt nhau tại một "
                                        "quầy: phiếu thứ 5 trong 10 phút (ngưỡng 3 phiếu).")
    assert responses[0].flag_reason.startswith("Nhiều phiếu có câu trả lời giống hệt nhau")


def test_a_comment_or_profile_does_not_make_answers_different(app, place, serve):
    for number in range(4):
        send(app, serve, place.url, {**varied_answers(3), "comment": f"Ý kiến {number}",
                                     "gender": ["nam", "nu"][number % 2]},
             f"198.51.100.{number}")
    assert statuses(stored_responses()) == [FLAGGED] * 4


def test_a_straight_lining_burst_is_flagged_whatever_the_values(app, place, serve):
    values = ["1", "2", "3", "1", "2"]
    for number, value in enumerate(values[:4]):
        send(app, serve, place.url, full_answers(value), f"198.51.100.{number}")
    assert statuses(stored_responses()) == [VALID] * 4  # no value three times, four lines
    send(app, serve, place.url, full_answers(values[4]), "198.51.100.4")
    responses = stored_responses()
    assert statuses(responses) == [FLAGGED] * 5
    assert [r.straight_value for r in responses] == [1, 2, 3, 1, 2]
    assert responses[4].flag_reason.startswith("Nhiều phiếu chọn cùng một mức cho mọi câu")


def test_a_response_staff_cleared_is_never_flagged_again(app, place, serve, make_user):
    for number in range(4):
        send(app, serve, place.url, varied_answers(number))
    first = stored_responses()
    assert statuses(first) == [FLAGGED] * 4
    staff = make_user("canbo-xa", units=[place.unit])[0]
    review_many([r.id for r in first], CLEAR, staff)
    for number in range(4, 6):
        send(app, serve, place.url, varied_answers(number))
    responses = stored_responses()
    assert statuses(responses) == [VALID] * 4 + [FLAGGED] * 2
    assert all(r.reviewed_by_id == staff.id for r in responses[:4])


def test_an_approved_campaign_s_responses_are_never_touched(app, place, serve, make_campaign):
    earlier = make_campaign([place.unit], code="dot-truoc", state=CampaignState.APPROVED)
    version = earlier.instrument_version
    submission = Submission(answers=dict.fromkeys(RATING_CODES, 5),
                            profile={"respondent_type": "ca_nhan"})
    for number in range(3):
        response = build_response(
            campaign=earlier, unit=place.unit, version=version,
            instrument=instrument_of(version), submission=submission, key=f"truoc-{number}",
            channel=Channel.QR, submitted_at=utcnow(), counter=place.counter,
            client_hash=client_hash(PHONE, utcnow()))
        db.session.add(response)
    db.session.commit()
    send(app, serve, place.url, varied_answers(1))
    responses = stored_responses()
    assert statuses(responses) == [VALID] * 3 + [FLAGGED]
    assert [r.campaign_id for r in responses[:3]] == [earlier.id] * 3


def test_retroactive_flags_are_audited_as_the_system_s(app, client, place, serve, make_user,
                                                       login_as):
    staff = make_user("canbo-xa", units=[place.unit])[0]
    for number in range(3):
        send(app, serve, place.url, varied_answers(number))
    # The fourth from a browser where a staff member is signed in: not their doing.
    login_as(staff)
    serve(place.url, using=client).post(varied_answers(3), environ_base={"REMOTE_ADDR": PHONE})
    responses = stored_responses()
    [event] = db.session.scalars(select(AuditEvent).filter_by(action="response.flag_burst"))
    assert event.object_id == str(responses[3].id) and event.user_id is None
    assert event.after["flagged"] == [r.id for r in responses[:3]]
    assert event.after["rule"] == "client-counter"
    assert event.after["burst"] == responses[3].burst_key == f"client-counter:{responses[0].id}"


class TestKiosk:
    def test_a_kiosk_is_one_client_by_design(self, app, place, serve):
        for number in range(8):
            reply = serve(f"{place.url}?kiosk=1", using=app.test_client()).post(
                varied_answers(number), environ_base={"REMOTE_ADDR": PHONE})
            assert reply.status_code == 303
        responses = stored_responses()
        assert {r.channel for r in responses} == {Channel.KIOSK}
        assert statuses(responses) == [VALID] * 8

    def test_identical_answers_on_a_kiosk_are_flagged(self, app, place, serve):
        for _ in range(4):
            serve(f"{place.url}?kiosk=1", using=app.test_client()).post(
                varied_answers(2), environ_base={"REMOTE_ADDR": PHONE})
        assert statuses(stored_responses()) == [FLAGGED] * 4


class TestVolume:
    @pytest.fixture
    def config_overrides(self, config_overrides):
        return {**config_overrides, "BURST_PER_COUNTER": 3, "BURST_PER_CLIENT": 2}

    def test_volume_alone_flags_only_what_is_beyond_the_limit(self, app, place, serve):
        for number in range(5):
            send(app, serve, place.url, varied_answers(number), f"198.51.100.{number}")
        responses = stored_responses()
        assert statuses(responses) == [VALID] * 3 + [FLAGGED] * 2
        assert responses[3].flag_reason == ("Dồn phiếu tại quầy: phiếu thứ 4 trong 10 phút "
                                            "(ngưỡng 3 phiếu).")
        assert responses[3].burst_key == responses[4].burst_key

    def test_one_address_at_several_counters_is_flagged_whole(self, app, make_unit,
                                                              make_campaign, serve):
        units = [make_unit(code=f"xa-{i}", name=f"Xã {i}") for i in range(3)]
        make_campaign(units)
        for unit in units:
            send(app, serve, f"/s/{unit.counters[0].token}", full_answers(), "192.0.2.9")
        responses = stored_responses()
        assert statuses(responses) == [FLAGGED] * 3
        assert responses[2].flag_reason.startswith("Nhiều phiếu từ cùng một địa chỉ mạng: ")

    def test_old_responses_do_not_make_a_burst(self, app, place, serve):
        for number in range(3):
            send(app, serve, place.url, varied_answers(number), f"198.51.100.{number}")
        db.session.rollback()  # end the test's read snapshot before writing from it
        db.session.execute(Response.__table__.update().values(
            received_at=utcnow() - timedelta(minutes=11)))
        db.session.commit()
        send(app, serve, place.url, varied_answers(3))
        assert stored_responses()[-1].status is VALID


def test_concurrent_responses_from_one_phone_are_all_flagged(app, place, serve, monkeypatch):
    """Four posts at once: each still sees the others (the write lock, advisory on PostgreSQL)."""
    forms = [serve(place.url, using=app.test_client()) for _ in range(4)]
    barrier = threading.Barrier(4, timeout=60)
    original = submissions.client_hash

    def hash_then_wait(*args):
        found = original(*args)
        barrier.wait()  # all four are about to open their write transaction
        return found

    monkeypatch.setattr(submissions, "client_hash", hash_then_wait)
    with ThreadPoolExecutor(4) as pool:
        replies = list(pool.map(lambda pair: pair[1].post(
            varied_answers(pair[0]), environ_base={"REMOTE_ADDR": PHONE}), enumerate(forms)))
    assert [reply.status_code for reply in replies] == [303] * 4
    assert statuses(stored_responses()) == [FLAGGED] * 4
