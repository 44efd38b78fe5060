"""Under load and under power cuts, every acknowledged response is stored exactly once.

gunicorn with 4 workers on loopback, citizens as threads. Bounded in time: a few seconds of
load per scenario. The per-address limit is off (every client here is 127.0.0.1).
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.load.load_support import (
    Citizen,
    Gunicorn,
    Tally,
    fresh_postgres_database,
    key_reader,
    prepare_database,
)

pytestmark = pytest.mark.load


@pytest.fixture(params=["sqlite", "postgresql"])
def served_database(request, tmp_path):
    """A migrated, seeded database of each backend and its counters' tokens."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'load.sqlite3'}"
        yield url, prepare_database(url)
        return
    with fresh_postgres_database() as url:
        yield url, prepare_database(url)


def stored_keys(url: str) -> list[str]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        keys = list(connection.scalars(sa.text("SELECT submission_key FROM response")))
    engine.dispose()
    return keys


def run_citizens(citizens: list[Citizen], seconds: float) -> None:
    stop = threading.Event()
    threads = [threading.Thread(target=c.run_until, args=(stop,)) for c in citizens]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)


def assert_sqlite_intact(url: str) -> None:
    if url.startswith("sqlite"):
        connection = sqlite3.connect(make_url(url).database)
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        connection.close()


def test_fifty_citizens_four_workers_no_errors_no_lost_rows(served_database, tmp_path):
    url, tokens = served_database
    log = tmp_path / "gunicorn.log"
    server = Gunicorn(url, log, workers=4)
    server.start()
    tally = Tally()
    citizens = [Citizen(server.url, tokens, n, tally, key_reader(url)) for n in range(50)]
    try:
        run_citizens(citizens, seconds=8)
    finally:
        server.stop()
    keys = stored_keys(url)
    print(f"\n{make_url(url).get_backend_name()}: {len(tally.acknowledged)} acknowledged "
          f"submissions in 8 s from 50 clients, {len(tally.errors)} errors")
    assert tally.errors == []
    assert len(tally.acknowledged) > 50
    assert sorted(keys) == sorted(tally.acknowledged)
    assert "database is locked" not in log.read_text()
    assert "Traceback" not in log.read_text()
    assert_sqlite_intact(url)


def test_power_cuts_lose_no_acknowledged_response_and_retries_add_none(served_database,
                                                                        tmp_path):
    url, tokens = served_database
    log = tmp_path / "gunicorn.log"
    server = Gunicorn(url, log, workers=2)
    tally = Tally()
    citizens = [Citizen(server.url, tokens, n, tally, key_reader(url)) for n in range(16)]
    stop = threading.Event()
    threads = [threading.Thread(target=c.run_until, args=(stop,)) for c in citizens]
    server.start()
    for thread in threads:
        thread.start()
    cuts = 0
    try:
        for _ in range(10):
            time.sleep(1.2)
            server.kill()  # SIGKILL to master and workers, mid-request
            cuts += 1
            acknowledged_before_restart = set(tally.acknowledged)
            server.start()
            # Nothing acknowledged before the cut may be missing after it.
            assert acknowledged_before_restart <= set(stored_keys(url))
        time.sleep(1)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        for citizen in citizens:  # a post cut off by the last kill is retried to the end
            while citizen.pending is not None:
                citizen.step()
    finally:
        stop.set()
        server.stop()
    keys = stored_keys(url)
    print(f"\n{make_url(url).get_backend_name()}: {cuts} SIGKILLs, "
          f"{len(tally.acknowledged)} acknowledged, {len(keys)} stored")
    assert cuts == 10
    assert tally.errors == []
    assert len(keys) == len(set(keys))
    assert set(keys) == tally.acknowledged
    assert "database is locked" not in log.read_text()
    assert_sqlite_intact(url)
