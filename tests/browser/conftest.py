"""Real-browser fixtures: the app served on a loopback port, Debian's Chromium via Playwright.

Without /usr/bin/chromium these tests skip with the reason shown; with
``SURVEY_TEST_REQUIRE_BROWSER=1`` (CI) a missing browser is a failure. On failure a
screenshot and the page's HTML are saved under ``tests/artifacts/`` (git-ignored).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from survey_app import create_app
from survey_app.extensions import db
from survey_app.services.seeding import seed_demo
from tests.support import app_config

CHROMIUM = os.environ.get("SURVEY_TEST_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("SURVEY_TEST_REQUIRE_BROWSER") == "1"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
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


@pytest.fixture
def live_app(sqlite_template, tmp_path, config_overrides) -> Iterator[LiveApp]:
    database = tmp_path / "browser.sqlite3"
    shutil.copy(sqlite_template, database)
    server = make_server("127.0.0.1", 0, None, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    app = create_app(app_config(f"sqlite:///{database}", PUBLIC_BASE_URL=base_url,
                                WTF_CSRF_ENABLED=True, **config_overrides))
    server.app = app
    with app.app_context():
        report = seed_demo(date.today())
        db.session.commit()
        app.config["DEMO_ADMIN_PASSWORD"] = report.admin_password
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveApp(app, server)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


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


@pytest.fixture
def phone(browser, request):
    """A 360×740 phone-sized page with touch, Vietnamese locale."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, locale="vi-VN")
    page = context.new_page()
    yield page
    _save_artifacts_on_failure(request, page)
    context.close()


@pytest.fixture
def desktop(browser, request):
    """A desktop-sized page for staff screens."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN",
                                  accept_downloads=True)
    page = context.new_page()
    yield page
    _save_artifacts_on_failure(request, page)
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _save_artifacts_on_failure(request, page) -> None:
    report = getattr(request.node, "report_call", None)
    if report is None or not report.failed:
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
    try:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        (ARTIFACTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
    except Exception as error:  # the page may be gone; the test's own failure matters more
        (ARTIFACTS / f"{name}.txt").write_text(f"no screenshot: {error}", encoding="utf-8")
