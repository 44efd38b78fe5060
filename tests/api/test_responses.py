"""Submitting responses (the form's idempotency contract) and reading them back anonymously,
page by page and incrementally; progress and units; body size and rate limits."""

from __future__ import annotations

import json
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Channel, Response, ResponseStatus, utcnow
from tests.api.conftest import answers, submission

PROBLEM = "application/problem+json"
URL = "/api/v1/campaigns/dot-1/responses"


def _count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Response))


def test_a_submission_is_stored_once_and_a_replay_returns_it(client, world, token_for):
    headers = token_for(world.staff)
    body = submission("tablet-7-0001", comment="Cán bộ nhiệt tình.")
    first = client.post(URL, headers=headers, json=body)
    assert first.status_code == 201, first.get_json()
    stored = first.get_json()
    assert stored["created"] is True and stored["status"] == "valid"
    assert stored["submission_key"] == "tablet-7-0001" and stored["unit_code"] == "xa-minh"
    again = client.post(URL, headers=headers, json=body)
    assert again.status_code == 200
    assert again.get_json() == {**stored, "created": False}
    assert _count() == 1
    response = db.session.scalar(select(Response))
    assert response.submission_key == "api:tablet-7-0001"
    assert response.channel is Channel.IMPORT and response.entered_by_id == world.staff.id
    assert response.comment == "Cán bộ nhiệt tình."


def test_the_same_key_with_other_answers_is_a_409_with_a_code(client, world, token_for):
    headers = token_for(world.staff)
    assert client.post(URL, headers=headers, json=submission("k-1")).status_code == 201
    conflict = client.post(URL, headers=headers, json=submission("k-1", value=2))
    assert conflict.status_code == 409 and conflict.mimetype == PROBLEM
    problem = conflict.get_json()
    assert problem["code"] == "submission_conflict"
    assert problem["detail"] and problem["detail_en"] and problem["title_en"] == "Conflict"
    assert _count() == 1
    db.session.rollback()
    assert db.session.scalar(select(Response)).answer_values()["tc1"] == 4


def test_a_key_used_for_another_unit_is_a_409(client, world, token_for):
    headers = token_for(world.admin)
    assert client.post(URL, headers=headers, json=submission("k-2")).status_code == 201
    reused = client.post(URL, headers=headers, json=submission("k-2", unit="xa-khac"))
    assert reused.status_code == 409 and reused.get_json()["code"] == "submission_key_reused"
    assert _count() == 1


def test_unit_staff_submit_for_their_units_only_and_viewers_not_at_all(client, world,
                                                                       token_for):
    other = client.post(URL, headers=token_for(world.staff),
                        json=submission("k-3", unit="xa-khac"))
    assert other.status_code == 403 and other.mimetype == PROBLEM
    viewer = client.post(URL, headers=token_for(world.viewer), json=submission("k-4"))
    assert viewer.status_code == 403
    assert _count() == 0


def test_answers_breaking_the_questionnaire_are_a_422_naming_the_fields(client, world,
                                                                        token_for):
    headers = token_for(world.staff)
    few = client.post(URL, headers=headers, json={**submission("k-5"),
                                                  "answers": {"tc1": 5, "zz9": 3}})
    assert few.status_code == 422 and few.get_json()["code"] == "answers_refused"
    assert {"answers", "answers.zz9"} <= set(few.get_json()["errors"]["json"])
    shape = client.post(URL, headers=headers, json={**submission("k-6"),
                                                    "answers": {"tc1": "5"}, "extra": 1})
    assert shape.status_code == 422 and shape.get_json()["code"] == "validation_error"
    assert {"answers", "extra"} <= set(shape.get_json()["errors"]["json"])
    bad_key = client.post(URL, headers=headers, json=submission("has space"))
    assert bad_key.status_code == 422
    not_json = client.post(URL, headers=headers, data="{not json",
                           content_type="application/json")
    assert not_json.status_code in (400, 422) and not_json.mimetype == PROBLEM
    assert _count() == 0


def test_a_closed_campaign_takes_no_submission(client, world, token_for):
    world.campaign.state = world.campaign.state.CLOSED
    db.session.commit()
    closed = client.post(URL, headers=token_for(world.staff), json=submission("k-7"))
    assert closed.status_code == 409 and closed.get_json()["code"] == "campaign_not_accepting"


def test_a_kiosk_submission_names_its_counter(client, world, token_for):
    headers = token_for(world.staff)
    counter = world.own.counters[0]
    missing = client.post(URL, headers=headers, json=submission("k-8", channel="kiosk"))
    assert missing.status_code == 422 and "counter_id" in missing.get_json()["errors"]["json"]
    foreign = client.post(URL, headers=headers, json=submission(
        "k-9", channel="kiosk", counter_id=world.other.counters[0].id))
    assert foreign.status_code == 422
    kiosk = client.post(URL, headers=headers, json=submission("k-10", channel="kiosk",
                                                              counter_id=counter.id))
    assert kiosk.status_code == 201
    db.session.rollback()
    stored = db.session.scalar(select(Response))
    assert stored.channel is Channel.KIOSK and stored.counter_id == counter.id


def test_a_body_too_large_is_a_413_problem(client, world, token_for):
    big = client.post(URL, headers=token_for(world.staff),
                      json=submission("k-11", comment="x" * (70 * 1024)))
    assert big.status_code == 413 and big.mimetype == PROBLEM
    assert big.get_json()["title_en"] == "Payload too large"


def _submit_many(client, headers, count: int, unit: str = "xa-minh", prefix: str = "r") -> None:
    for number in range(count):
        body = submission(f"{prefix}-{unit}-{number}", unit=unit)
        body["answers"] = answers(4, tc1=1 + number % 5, tc2=1 + number // 5 % 5, tc3=2)
        reply = client.post(URL, headers=headers, json=body)
        assert reply.status_code == 201, reply.get_json()


def test_raw_responses_are_anonymous_and_paged(client, world, token_for):
    headers = token_for(world.admin)
    _submit_many(client, headers, 5)
    _submit_many(client, headers, 2, unit="xa-khac")
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        reply = client.get(URL, headers=headers, query_string=query, buffered=True)
        assert reply.status_code == 200 and reply.mimetype == "application/json"
        page = reply.get_json()
        assert page["campaign"] == "dot-1" and page["as_of"]
        seen += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and len(seen) == 7 and len({item["ref"] for item in seen}) == 7
    item = seen[0]
    assert set(item) == {"ref", "unit_code", "channel", "submitted_on", "status",
                         "respondent_type", "field", "gender", "age_band", "submission_mode",
                         "answers", "comment"}
    assert item["answers"]["tt1"] == 4 and item["respondent_type"] == "ca_nhan"
    text = str(seen)
    assert "api:" not in text and "r-xa-minh" not in text, "no submission key leaks"
    only = client.get(URL, headers=headers, query_string={"unit": "xa-khac"},
                      buffered=True).get_json()
    assert {i["unit_code"] for i in only["items"]} == {"xa-khac"} and len(only["items"]) == 2
    bad = client.get(URL, headers=headers, query_string={"cursor": "bm9wZQ"}, buffered=True)
    assert bad.status_code == 422 and bad.get_json()["code"] == "invalid_cursor"


def test_raw_responses_are_streamed(app, client, world, token_for):
    headers = token_for(world.admin)
    _submit_many(client, headers, 2)
    plain = FlaskClient(app)  # not IsolatedClient: the body is read after the view returned
    reply = plain.get(URL, headers=headers)
    assert reply.is_streamed
    chunks = list(reply.response)
    assert len(chunks) == 4  # head, two responses, tail
    assert json.loads(b"".join(chunk if isinstance(chunk, bytes) else chunk.encode()
                               for chunk in chunks))["next_cursor"] is None


def test_since_fetches_only_new_and_reviewed_responses(client, world, token_for):
    headers = token_for(world.admin)
    _submit_many(client, headers, 3)
    everything = client.get(URL, headers=headers, buffered=True).get_json()
    assert len(everything["items"]) == 3
    mark = (utcnow() - timedelta(minutes=1)).isoformat()
    db.session.rollback()
    # Stored "earlier": what a poll after the mark must no longer return.
    for response in db.session.scalars(select(Response)):
        response.received_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    assert client.get(URL, headers=headers, query_string={"since": mark},
                      buffered=True).get_json()["items"] == []
    _submit_many(client, headers, 2, prefix="moi")
    new = client.get(URL, headers=headers, query_string={"since": mark},
                     buffered=True).get_json()["items"]
    assert len(new) == 2
    # A review changes a response: it comes again, recognised by its ref.
    reviewed = db.session.scalar(select(Response).order_by(Response.id).limit(1))
    reviewed.status, reviewed.reviewed_at = ResponseStatus.REJECTED, utcnow()
    db.session.commit()
    again = client.get(URL, headers=headers, query_string={"since": mark},
                     buffered=True).get_json()["items"]
    assert len(again) == 3
    assert everything["items"][0]["ref"] in {item["ref"] for item in again}
    assert {item["status"] for item in again} == {"valid", "rejected"}


def test_progress_counts_valid_responses_per_unit(client, world, token_for):
    headers = token_for(world.staff)
    _submit_many(client, headers, 2)
    progress = client.get("/api/v1/campaigns/dot-1/progress", headers=headers).get_json()
    row = progress["units"][0]
    assert row["unit_code"] == "xa-minh" and row["valid"] == 2
    assert row["by_channel"]["import"] == 2 and row["required"] is not None
    viewer = client.get("/api/v1/campaigns/dot-1/progress", headers=token_for(world.viewer))
    assert viewer.status_code == 403


def test_units_with_their_counters_and_since(client, world, token_for, make_unit):
    headers = token_for(world.viewer)
    for unit in (world.own, world.other):  # made well before the poll
        unit.created_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    listing = client.get("/api/v1/units", headers=headers).get_json()
    assert [unit["code"] for unit in listing["items"]] == ["xa-khac", "xa-minh"]
    counter = listing["items"][1]["counters"][0]
    assert set(counter) == {"id", "name", "kiosk", "active"}, "no counter token is shown"
    mark = listing["as_of"]  # a little before the poll: what is new since comes next time
    make_unit("xa-moi", "Xã Mới")
    new = client.get("/api/v1/units", headers=headers, query_string={"since": mark}).get_json()
    assert [unit["code"] for unit in new["items"]] == ["xa-moi"]
    odd = client.get("/api/v1/units", headers=headers,
                     query_string={"since": "0001-01-01T00:00:00+05:00"})
    assert odd.status_code == 200
    nonsense = client.get("/api/v1/units", headers=headers, query_string={"since": "hôm qua"})
    assert nonsense.status_code == 422 and "since" in str(nonsense.get_json()["errors"])
