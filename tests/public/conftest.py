"""Fixtures for the citizen form: a unit with a counter in an open campaign, compiled
catalogues, and a way to fetch a served form and post it back as a phone would."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient

from survey_app.models import Campaign, Counter, Unit
from tests.public.public_support import ServedForm, hidden_fields


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
