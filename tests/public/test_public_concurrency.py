"""Requests racing with the same submission key, on SQLite and on PostgreSQL: exactly one row.

Each thread has its own client, app context and database connection. A barrier inside
``submissions.previous`` holds every request until all of them have looked for the key and
found nothing, both before and inside ``accept``: only then may any of them write, so the
race is real every time, not a matter of luck.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from survey_app.domain.submissions import submissions
from survey_app.domain.submissions.public_survey import survey_at_counter
from survey_app.domain.submissions.responses import Submission
from survey_app.support.dates import today_local
from tests.public.public_support import full_answers, response_count, stored_responses

THREADS = 8


@pytest.fixture
def all_look_first(monkeypatch):
    """Make every request find the key unused before any of them may store it."""
    barrier = threading.Barrier(THREADS, timeout=60)
    calls = threading.local()
    original = submissions.previous

    def previous_then_wait(*args, **kwargs):
        found = original(*args, **kwargs)
        calls.count = getattr(calls, "count", 0) + 1
        if calls.count <= 2:  # the view's look and accept's; not the one after a lost race
            barrier.wait()
        return found

    monkeypatch.setattr(submissions, "previous", previous_then_wait)
    return barrier


def post_all(app, url, bodies):
    """Post each body from its own browser, all at once; the responses in order."""
    browsers = [app.test_client() for _ in bodies]
    with ThreadPoolExecutor(len(bodies)) as pool:
        futures = [pool.submit(browser.post, url, data=body)
                   for browser, body in zip(browsers, bodies, strict=True)]
        return [future.result() for future in futures]


def test_identical_concurrent_submissions_store_exactly_one_row(app, place, serve,
                                                                all_look_first):
    form = serve(place.url)
    body = {**form.hidden, **full_answers("5")}
    replies = post_all(app, place.url, [body] * THREADS)
    assert [reply.status_code for reply in replies] == [303] * THREADS
    assert {reply.headers["Location"] for reply in replies} == {f"{place.url}/cam-on"}
    assert not all_look_first.broken
    [response] = stored_responses()
    assert len(response.answers) == 22


def test_concurrent_submissions_with_other_answers_get_a_conflict(app, place, serve,
                                                                  all_look_first):
    form = serve(place.url)
    bodies = [{**form.hidden, **full_answers("5" if i % 2 else "2")} for i in range(THREADS)]
    replies = [reply.status_code for reply in post_all(app, place.url, bodies)]
    [response] = stored_responses()
    winner = 1 if response.answer_values()["tc1"] == 5 else 0
    assert replies == [303 if i % 2 == winner else 409 for i in range(THREADS)]


def test_losing_the_race_on_the_unique_key_returns_the_winners_response(app, place,
                                                                        monkeypatch):
    survey = survey_at_counter(place.counter, today_local(), kiosk=False)
    key = survey.new_key().value
    answers = Submission(answers=dict.fromkeys(["tc1", "tc2", "tc3", "tt1", "tt2", "tt3",
                                                "cc1", "cc2", "cc3", "kq1", "kq2"], 4),
                         profile={"respondent_type": "ca_nhan"})
    first = submissions.accept(survey, key, answers, client_address="198.51.100.1")
    # As with two transactions at once on PostgreSQL: neither the first look nor the one
    # inside the write transaction sees the other's row; the INSERT hits the UNIQUE key.
    original = submissions._previous
    blind_looks = iter([True, True])

    def miss_twice(*args):
        return None if next(blind_looks, False) else original(*args)

    monkeypatch.setattr(submissions, "_previous", miss_twice)
    second = submissions.accept(survey, key, answers, client_address="198.51.100.2")
    assert second == submissions.Accepted(first.response_id, created=False, flagged=False)
    assert response_count() == 1

    blind_looks = iter([True, True])
    other = Submission(answers={**answers.answers, "tc1": 1},
                       profile={"respondent_type": "ca_nhan"})
    with pytest.raises(submissions.SubmissionConflict):
        submissions.accept(survey, key, other, client_address="198.51.100.3")
    assert response_count() == 1
