"""Fixtures: the app from the factory on SQLite and on PostgreSQL, and data factories.

Every test that takes ``app`` runs twice: once on a fresh SQLite file and once on the
PostgreSQL server (``SURVEY_TEST_POSTGRES_URL``, default 127.0.0.1:5432). Without a reachable
PostgreSQL the second run is skipped with the reason shown, unless
``SURVEY_TEST_REQUIRE_POSTGRES=1`` (CI), where it fails.
"""

from __future__ import annotations

import contextvars
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from sqlalchemy.engine import make_url

import survey_app
from survey_app import create_app
from survey_app.domain.accounts.accounts import create_user
from survey_app.domain.campaigns.instruments import published_version, sync_shipped_instruments
from survey_app.domain.paper.sheet_batches import create_batch
from survey_app.extensions import db
from survey_app.models import (
    Campaign,
    CampaignState,
    CampaignUnit,
    Counter,
    Role,
    SheetBatch,
    Unit,
    UnitKind,
    User,
)
from survey_app.support.dates import today_local
from tests.public.public_support import ServedForm, hidden_fields
from tests.results.counting_support import ITEMS_2640
from tests.support import (
    BACKENDS,
    POSTGRES_URL,
    REDIS_URL,
    REQUIRE_POSTGRES,
    REQUIRE_REDIS,
    app_config,
    migrate_to_head,
)

#: A machine shared with other runs generates inputs slowly at times: that is not a failure
#: (issue 11). Every property test runs under this profile; examples are bounded per test.
settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow],
                          print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config):
    """Compile the catalogues as ``make translations`` does, before any test runs.

    Flask-Babel caches a language's catalogue for the whole process, so it must be in place
    before the first page in English is rendered by any test. The ``.mo`` files are build
    output (git-ignored); written atomically, so parallel runs do not see half a file.
    """
    for po_path in (Path(survey_app.__file__).parent / "translations").glob(
            "*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with tempfile.NamedTemporaryFile(dir=mo_path.parent, delete=False) as mo_file:
            write_mo(mo_file, catalog)
        os.replace(mo_file.name, mo_path)


class IsolatedClient(FlaskClient):
    """A test client whose requests each get their own app context, as under a real server.

    The ``app`` fixture keeps an app context pushed for the whole test, and Flask would run
    every request inside it, sharing ``g`` (the CSRF token, the chosen language) and the
    database session between requests. Like a server, it closes the request body once the
    reply is there (Werkzeug's test client leaves a large encoded upload's temporary file
    open for the garbage collector, which then warns during some later test).
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        body = response.request.environ.get("wsgi.input")
        if body is not None:
            body.close()
        return response


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file; each test gets a copy of it."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    migrate_to_head(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated to head."""
    server = make_url(POSTGRES_URL)
    name = f"survey_pytest_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as error:
        admin.dispose()
        reason = f"PostgreSQL not reachable at {server.render_as_string()}: {error.orig}"
        if REQUIRE_POSTGRES:
            pytest.fail(reason)
        pytest.skip(reason)
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        migrate_to_head(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _empty_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        tables = [t for t in sa.inspect(connection).get_table_names() if t != "alembic_version"]
        connection.exec_driver_sql(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    """An empty, migrated database of each backend."""
    if request.param == "sqlite":
        target = tmp_path / "test.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    url = request.getfixturevalue("postgres_database")
    _empty_postgres(url)
    return url


@pytest.fixture
def config_overrides() -> dict:
    """Override in a test module to change the app's configuration."""
    return {}


@pytest.fixture
def app(database_url, config_overrides) -> Iterator[Flask]:
    """The application from the factory, with an app context pushed for the test."""
    app = create_app(app_config(database_url, **config_overrides))
    with app.app_context():
        yield app
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def client(app) -> FlaskClient:
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_unit(app) -> Callable[..., Unit]:
    """Create a unit (with one counter) and commit it."""
    def make(code: str = "xa-thu", name: str = "Xã Thử", kind: UnitKind = UnitKind.COMMUNE,
             **fields) -> Unit:
        unit = Unit(code=code, name=name, kind=kind, **fields)
        unit.counters.append(Counter(name=f"Quầy {name}"))
        db.session.add(unit)
        db.session.commit()
        return unit
    return make


@pytest.fixture
def make_campaign(app) -> Callable[..., Campaign]:
    """Create a campaign over the given units, open by default, running around today."""
    def make(units: list[Unit], code: str = "thu", instrument: str = "sipas-2640",
             state: CampaignState = CampaignState.OPEN, days_before: int = 30,
             days_after: int = 30, **fields) -> Campaign:
        sync_shipped_instruments()
        today = today_local()  # the district's date, as the app counts days
        campaign = Campaign(code=code, name=f"Đợt {code}", state=state,
                            instrument_version=published_version(instrument),
                            starts_on=today - timedelta(days=days_before),
                            deadline=today + timedelta(days=days_after), **fields)
        campaign.targets = [CampaignUnit(unit=unit, transactions_n=300) for unit in units]
        db.session.add(campaign)
        db.session.commit()
        return campaign
    return make


@pytest.fixture
def make_user(app) -> Callable[..., tuple[User, str]]:
    """Create a staff account; returns it with its password."""
    def make(username: str = "canbo", role: Role = Role.UNIT_STAFF,
             units: list[Unit] | None = None, password: str = "mat-khau-thu-123"
             ) -> tuple[User, str]:
        user, password = create_user(username, username.title(), role, units or [], password)
        user.must_change_password = False
        db.session.commit()
        return user, password
    return make


@pytest.fixture
def login_as(client) -> Callable[[User], None]:
    """Put ``user`` in the test client's session, as a successful login would."""
    def login(user: User) -> None:
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
    return login


@pytest.fixture
def redis_url() -> str:
    """The Redis of ``SURVEY_TEST_REDIS_URL``; skipped when unreachable unless required (CI)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        reason = f"Redis not reachable at {REDIS_URL}: {error}"
        if REQUIRE_REDIS:
            pytest.fail(reason)
        pytest.skip(reason)
    return REDIS_URL


# Fixtures shared by several packages live here, at the top level, and are imported nowhere.

@pytest.fixture
def admin(make_user, login_as) -> User:
    """An admin account, logged in on the test client."""
    user, _ = make_user("quantri", Role.ADMIN)
    login_as(user)
    return user


@pytest.fixture
def desk(make_unit, make_campaign, make_user, login_as):
    """A unit staff member signed in at the entry screen with five printed sheets:
    (unit, campaign, user, serials)."""
    unit = make_unit("xa-canh-hien", "Xã Canh Hiển")
    campaign = make_campaign([unit], code="dot-2026")
    user, _ = make_user("canbo-ch", units=[unit])
    batch_id = create_batch(campaign.id, unit.id, 5, user)
    serials = [sheet.serial for sheet in db.session.get(SheetBatch, batch_id).sheets]
    login_as(user)
    return unit, campaign, user, serials


@dataclass
class Place:
    """A unit with one counter in an open campaign."""

    unit: Unit
    counter: Counter
    campaign: Campaign

    @property
    def url(self) -> str:
        return f"/s/{self.counter.token}"


@pytest.fixture
def place(make_unit, make_campaign) -> Place:
    unit = make_unit()
    campaign = make_campaign([unit])
    return Place(unit=unit, counter=unit.counters[0], campaign=campaign)


@pytest.fixture
def serve(client) -> Callable[..., ServedForm]:
    """GET a survey link (with a browser of one's own if given) and keep its hidden fields."""
    def fetch(url: str, using: FlaskClient | None = None, **kwargs) -> ServedForm:
        browser = using or client
        page = browser.get(url, **kwargs)
        html = page.get_data(as_text=True)
        assert page.status_code == 200, html
        return ServedForm(client=browser, url=url.split("?")[0], html=html,
                          hidden=hidden_fields(html))
    return fetch


@pytest.fixture
def add_responses(app) -> Callable[..., int]:
    """Insert ``n`` responses of ``unit`` in ``campaign`` in bulk (22 answers each)."""
    import random
    from datetime import UTC, datetime

    from sqlalchemy import func, insert, select

    from survey_app.extensions import db
    from survey_app.models import Answer, Channel, Response, ResponseStatus

    def add(campaign, unit, n: int, comments: list[str | None] | None = None,
            status: ResponseStatus = ResponseStatus.VALID, channel: Channel = Channel.QR,
            field: str | None = "dat_dai", seed: int = 1) -> int:
        rng = random.Random(seed)
        counter_id = unit.counters[0].id if unit.counters else None
        items = list(ITEMS_2640)
        start = (db.session.scalar(select(func.max(Response.id))) or 0) + 1
        for first in range(0, n, 2000):
            ids = range(start + first, start + min(n, first + 2000))
            db.session.execute(insert(Response), [{
                "id": rid, "submission_key": f"k{rid}", "payload_digest": "0" * 64,
                "campaign_id": campaign.id, "unit_id": unit.id, "counter_id": counter_id,
                "instrument_version_id": campaign.instrument_version_id,
                "channel": channel, "respondent_type": "ca_nhan", "field": field,
                "comment": (comments[(rid - start) % len(comments)] if comments else None),
                "submitted_at": datetime(2026, 11, 2, 9, 30, tzinfo=UTC), "n_rated": 22,
                "status": status} for rid in ids])
            db.session.execute(insert(Answer), [
                {"response_id": rid, "item_code": item, "value": rng.choice((0, 3, 4, 5, 5))}
                for rid in ids for item in items])
        db.session.commit()
        return n
    return add
