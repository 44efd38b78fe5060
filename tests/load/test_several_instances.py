"""Two app servers on different ports, one PostgreSQL and one Redis: the per-address limit
and the one-response-per-key guarantee hold across them, as behind a load balancer."""

from __future__ import annotations

import threading
import uuid

import httpx
import pytest
import sqlalchemy as sa

from tests.load.load_support import (
    HIDDEN,
    Gunicorn,
    answers,
    fresh_postgres_database,
    key_reader,
    prepare_database,
)

pytestmark = pytest.mark.load
LIMIT = 8


@pytest.fixture
def postgres_url():
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def two_servers(postgres_url, redis_url, tmp_path):
    """Servers A and B sharing the database and the rate-limit store."""
    tokens = prepare_database(postgres_url)
    shared = {"RATELIMIT_ENABLED": "true", "RATELIMIT_STORAGE_URI": redis_url,
              # A prefix of this run's own, so counts from other runs do not interfere.
              "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
              "PUBLIC_RATE_LIMIT": f"{LIMIT} per 10 minutes"}
    servers = [Gunicorn(postgres_url, tmp_path / f"{name}.log", workers=1, **shared)
               for name in "ab"]
    try:
        for server in servers:
            server.start()
        yield servers, tokens
    finally:
        for server in servers:
            server.stop()


def fetch_form(server: Gunicorn, token: str, seed: int) -> tuple[str, dict[str, str], dict]:
    with httpx.Client(base_url=server.url, timeout=20) as browser:
        page = browser.get(f"/s/{token}")
        assert page.status_code == 200
        data = {**dict(HIDDEN.findall(page.text)), **answers(seed)}
        return f"/s/{token}", data, dict(browser.cookies)


def post(server: Gunicorn, url: str, data: dict, cookies: dict) -> httpx.Response:
    with httpx.Client(base_url=server.url, timeout=20, cookies=cookies) as browser:
        return browser.post(url, data=data)


def responses_with_key(url: str, key: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        count = connection.scalar(sa.text(
            "SELECT count(*) FROM response WHERE submission_key = :key"), {"key": key})
    engine.dispose()
    return count


def test_key_and_rate_limit_hold_across_two_servers(two_servers, postgres_url):
    (a, b), tokens = two_servers
    url, data, cookies = fetch_form(a, tokens[0], seed=1)

    # The same filled form reaches both servers at the same moment (a retry through
    # another server of the pool): both thank, one response is stored.
    replies: dict[str, httpx.Response] = {}
    start = threading.Barrier(2)

    def send(server: Gunicorn) -> None:
        start.wait()
        replies[server.url] = post(server, url, data, cookies)

    threads = [threading.Thread(target=send, args=(server,)) for server in (a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [replies[s.url].status_code for s in (a, b)] == [303, 303]
    assert replies[a.url].headers["location"] == replies[b.url].headers["location"]
    key = key_reader(postgres_url)(data["k"])
    assert responses_with_key(postgres_url, key) == 1

    # The same key with other answers, on the other server: refused, nothing added.
    changed = {**data, "tc1": "1" if data["tc1"] != "1" else "2"}
    conflict = post(b, url, changed, cookies)
    assert conflict.status_code == 409
    assert "Phiếu đã được gửi trước đó" in conflict.text
    assert responses_with_key(postgres_url, key) == 1

    # The per-address limit is one budget for the pool: alternate servers until refused.
    statuses = []
    for number in range(LIMIT):
        server = (a, b)[number % 2]
        form_url, form, jar = fetch_form(server, tokens[1 + number], seed=100 + number)
        statuses.append(post(server, form_url, form, jar).status_code)
    sent_before = 3  # the two simultaneous posts and the conflicting one
    assert statuses[:LIMIT - sent_before] == [303] * (LIMIT - sent_before)
    assert set(statuses[LIMIT - sent_before:]) == {429}, statuses
