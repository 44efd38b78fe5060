"""Tablets racing with the same instanceID, on SQLite and on PostgreSQL: exactly one row.

As for the web form (``tests/public/test_public_concurrency.py``), a barrier inside
``submissions.previous`` holds every request until all of them have looked for the key and
found nothing, so they really do race to store it.
"""

from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from survey_app.domain.submissions import submissions
from tests.openrosa.openrosa_support import PROTOCOL, message_of, stored_responses

THREADS = 6


@pytest.fixture
def all_look_first(monkeypatch):
    barrier = threading.Barrier(THREADS, timeout=60)
    calls = threading.local()
    original = submissions.previous

    def previous_then_wait(*args, **kwargs):
        found = original(*args, **kwargs)
        calls.count = getattr(calls, "count", 0) + 1
        if calls.count == 1:  # accept's look; not the one after a lost race (PostgreSQL)
            barrier.wait()
        return found

    monkeypatch.setattr(submissions, "previous", previous_then_wait)
    return barrier


def send_all(app, odk, bodies):
    clients = [app.test_client() for _ in bodies]

    def send(client, body):
        return client.post(odk.base + "/submission", headers={**PROTOCOL, **odk.auth},
                           data={"xml_submission_file": (io.BytesIO(body.encode()), "x.xml")})

    with ThreadPoolExecutor(len(bodies)) as pool:
        futures = [pool.submit(send, client, body)
                   for client, body in zip(clients, bodies, strict=True)]
        return [future.result() for future in futures]


def test_the_same_instance_sent_at_once_is_one_response(app, odk, instance, all_look_first):
    xml = instance("uuid:race")
    replies = send_all(app, odk, [xml] * THREADS)
    assert [reply.status_code for reply in replies] == [201] * THREADS
    assert not all_look_first.broken
    assert len(stored_responses()) == 1


def test_one_instance_id_with_different_xml_at_once_keeps_one(app, odk, instance,
                                                              all_look_first):
    bodies = [instance("uuid:clash", tc1=str(1 + number % 5), tc2=str(1 + number // 5))
              for number in range(THREADS)]
    replies = send_all(app, odk, bodies)
    statuses = sorted(reply.status_code for reply in replies)
    assert statuses == [201] + [409] * (THREADS - 1)
    assert all("nội dung XML khác" in message_of(r) for r in replies if r.status_code == 409)
    [response] = stored_responses()
    winner = next(body for body, reply in zip(bodies, replies, strict=True)
                  if reply.status_code == 201)
    assert f"<tc1>{response.answer_values()['tc1']}</tc1>" in winner
