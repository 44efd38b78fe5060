"""Real-browser fixtures: the app served on a loopback port, Debian's Chromium via Playwright.

Without /usr/bin/chromium these tests skip with the reason shown; with
``SURVEY_TEST_REQUIRE_BROWSER=1`` or ``SURVEY_TEST_BROWSER=1`` (CI) a missing browser is a
failure. On failure a screenshot and the page's HTML are saved under ``tests/artifacts/``
(git-ignored), for every page a test opened.

Servers: ``live_app`` is one per test; ``live_server`` is one per test module (override the
module-scoped ``live_server_config`` fixture in a module to change its configuration; a test may
also change ``live_server.app.config`` at run time with ``monkeypatch.setitem``, as the server
runs in this process).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from survey_app import create_app
from survey_app.domain.operations.seeding import seed_demo
from survey_app.extensions import db
from survey_app.support.dates import today_local
from tests.browser.artifacts import save_on_failure
from tests.support import app_config

CHROMIUM = os.environ.get("SURVEY_TEST_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = "1" in (os.environ.get("SURVEY_TEST_REQUIRE_BROWSER"),
                          os.environ.get("SURVEY_TEST_BROWSER"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium() -> str:
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        reason = f"Chromium not found at {CHROMIUM} (Debian package 'chromium')"
        if REQUIRE_BROWSER:
            pytest.fail(reason)
        pytest.skip(reason)
    return CHROMIUM


class LiveApp:
    """The application on a real HTTP server in a thread, on a fresh seeded SQLite file."""

    def __init__(self, app, server):
        self.app = app
        self.server = server
        self.url = f"http://127.0.0.1:{server.server_port}"


@contextmanager
def _serving(database: Path, sqlite_template: Path, overrides: dict) -> Iterator[LiveApp]:
    shutil.copy(sqlite_template, database)
    server = make_server("127.0.0.1", 0, None, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    app = create_app(app_config(f"sqlite:///{database}", PUBLIC_BASE_URL=base_url,
                                WTF_CSRF_ENABLED=True, **overrides))
    server.app = app
    with app.app_context():
        report = seed_demo(today_local())
        db.session.commit()
        app.config["DEMO_ADMIN_PASSWORD"] = report.admin_password
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveApp(app, server)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def live_app(sqlite_template, tmp_path, config_overrides) -> Iterator[LiveApp]:
    """The app served for this test only, on a fresh seeded SQLite file."""
    with _serving(tmp_path / "browser.sqlite3", sqlite_template, config_overrides) as live:
        yield live


@pytest.fixture(scope="module")
def live_server_config() -> dict:
    """Override in a test module to change the configuration of its ``live_server``."""
    return {}


@pytest.fixture(scope="module")
def live_server(chromium, sqlite_template, tmp_path_factory, live_server_config
                ) -> Iterator[LiveApp]:
    """The app served for a whole test module, on a fresh seeded SQLite file."""
    database = tmp_path_factory.mktemp("live") / "browser.sqlite3"
    with _serving(database, sqlite_template, live_server_config) as live:
        yield live


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(chromium, playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=chromium, headless=True,
                                                  args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def browser_with_history_cache(chromium, playwright_instance):
    """A second Chromium with the back/forward cache on, as on phones (Playwright turns it off).

    "Back" then shows the very page left, filled in, instead of fetching it again.
    """
    browser = playwright_instance.chromium.launch(
        executable_path=chromium, headless=True, args=CHROMIUM_ARGS,
        ignore_default_args=["--disable-back-forward-cache"])
    yield browser
    browser.close()


@pytest.fixture
def open_page(browser, request) -> Iterator[Callable[..., object]]:
    """Open a page in a new context of ``using`` (default: the shared browser); keyword
    arguments go to ``new_context``.

    Every page opened this way gets its screenshot and HTML saved if the test fails.
    """
    opened = []

    def open_(using=None, **options):
        context = (using or browser).new_context(**{"locale": "vi-VN", **options})
        page = context.new_page()
        opened.append((context, page))
        return page

    yield open_
    for number, (context, page) in enumerate(opened):
        save_on_failure(request, page, f"-{number}" if len(opened) > 1 else "")
        context.close()


@pytest.fixture
def phone(open_page):
    """A 360×740 phone-sized page with touch, Vietnamese locale."""
    return open_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)


@pytest.fixture
def desktop(open_page):
    """A desktop-sized page for staff screens."""
    return open_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report
