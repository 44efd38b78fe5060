"""Fixtures for the citizen form: a unit with a counter in an open campaign, compiled
catalogues, and a way to fetch a served form and post it back as a phone would."""

from __future__ import annotations

import contextvars
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

import survey_app
from survey_app.models import Campaign, Counter, Unit
from tests.public.public_support import ServedForm, hidden_fields


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
    database session between requests.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app) -> FlaskClient:
    app.test_client_class = IsolatedClient
    return app.test_client()


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
