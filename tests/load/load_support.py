"""A real gunicorn on loopback, and citizens that hammer it, for the load and fault tests."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from survey_app import create_app
from survey_app.domain.operations.seeding import seed_demo
from survey_app.domain.submissions import form_keys
from survey_app.extensions import db
from survey_app.models import Counter
from survey_app.support.dates import today_local
from tests.support import POSTGRES_URL, REQUIRE_POSTGRES, app_config, migrate_to_head

REPO = Path(__file__).resolve().parents[2]
SECRET = "load-test-secret-not-for-production"
RATINGS = [*(f"tc{i}" for i in range(1, 5)), *(f"tt{i}" for i in range(1, 6)),
           *(f"cc{i}" for i in range(1, 7)), *(f"kq{i}" for i in range(1, 4)),
           *(f"pa{i}" for i in range(1, 5))]
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def create_postgres_database() -> str:
    server = make_url(POSTGRES_URL)
    name = f"survey_load_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new empty database on the test PostgreSQL server, dropped afterwards; without a
    reachable server the test is skipped with the reason (failed in CI)."""
    try:
        url = create_postgres_database()
    except sa.exc.OperationalError as error:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL not reachable: {error.orig}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {error.orig}")
    try:
        yield url
    finally:
        drop_postgres_database(url)


def drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    admin = sa.create_engine(make_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def prepare_database(url: str) -> list[str]:
    """Migrate and seed the demo; returns the counters' tokens."""
    migrate_to_head(url)
    app = create_app(app_config(url, SECRET_KEY=SECRET))
    with app.app_context():
        seed_demo(today_local())
        db.session.commit()
        tokens = list(db.session.scalars(sa.select(Counter.token).order_by(Counter.id)))
        db.session.remove()
        db.engine.dispose()
    return tokens


#: How long a gunicorn may take to answer its first request: generous, since on a loaded
#: 2-core machine (two test runs side by side) importing the app in 4 workers takes a while.
START_TIMEOUT = float(os.environ.get("SURVEY_TEST_START_TIMEOUT", "120"))


class Gunicorn:
    """gunicorn serving ``wsgi:app`` on a free loopback port, killable like a power cut."""

    def __init__(self, database_url: str, log: Path, workers: int = 4, port: int | None = None,
                 app_module: str = "wsgi:app", **settings: str):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.app_module = app_module
        self.log = log
        self.env = {**os.environ, "SURVEY_DATABASE_URL": database_url,
                    "SURVEY_SECRET_KEY": SECRET, "SURVEY_RATELIMIT_ENABLED": "false",
                    "SURVEY_PUBLIC_BASE_URL": self.url, "PYTHONPATH": str(REPO),
                    **{f"SURVEY_{key}": value for key, value in settings.items()}}
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start and wait for the first answer; on failure nothing it started is left running
        (a leaked server's ResourceWarning would fail an unrelated test later)."""
        try:
            self._start(timeout)
        except BaseException:
            self.kill()
            raise

    def _start(self, timeout: float) -> None:
        command = [sys.executable, "-m", "gunicorn", "--workers", str(self.workers),
                   "--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "2",
                   "--timeout", "30", self.app_module]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=REPO, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer in time")

    def kill(self) -> None:
        """SIGKILL the master and every worker at once: no chance to finish anything."""
        if self.process is not None:
            with suppress(ProcessLookupError):  # the whole group has already gone
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
            self.process = None


@dataclass
class Tally:
    """What the citizens saw: keys acknowledged by a 303, errors, unanswered posts."""

    acknowledged: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def answers(seed: int) -> dict[str, str]:
    values = {code: str(1 + (seed + i) % 5) for i, code in enumerate(RATINGS)}
    values["respondent_type"] = "ca_nhan" if seed % 3 else "to_chuc"
    return values


class Citizen:
    """One phone: fetch a counter's form, answer, submit; retry the same post if cut off."""

    def __init__(self, base_url: str, tokens: list[str], number: int, tally: Tally,
                 key_of):
        self.base_url = base_url
        self.tokens = tokens
        self.number = number
        self.tally = tally
        self.key_of = key_of
        self.pending: tuple[httpx.Client, str, dict[str, str]] | None = None
        self.sent = 0

    def run_until(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.step()
            except httpx.TransportError:
                time.sleep(0.05)  # the server is down; try again (the same post, if any)

    def step(self) -> None:
        if self.pending is None:
            self.pending = self._fetch_form()
        browser, url, data = self.pending
        reply = browser.post(url, data=data)
        if reply.status_code == 303:
            with self.tally.lock:
                self.tally.acknowledged.add(self.key_of(data["k"]))
        else:
            with self.tally.lock:
                self.tally.errors.append(f"{reply.status_code}: {reply.text[:300]}")
        browser.close()
        self.pending = None
        self.sent += 1

    def _fetch_form(self) -> tuple[httpx.Client, str, dict[str, str]]:
        # A new cookie jar per response: each one is a different person's phone.
        browser = httpx.Client(base_url=self.base_url, timeout=20, follow_redirects=False)
        token = self.tokens[(self.number + self.sent) % len(self.tokens)]
        url = f"/s/{token}"
        page = browser.get(url)
        if page.status_code != 200:
            browser.close()
            raise httpx.TransportError(f"form page {page.status_code}")
        data = {**dict(HIDDEN.findall(page.text)), **answers(self.number * 1000 + self.sent)}
        return browser, url, data


def key_reader(database_url: str):
    """Turns a form's signed ``k`` field into its submission key (the server's secret)."""
    app = create_app(app_config(database_url, SECRET_KEY=SECRET))

    def key_of(signed: str) -> str:
        with app.app_context():
            return form_keys.load(signed).value
    return key_of
