"""Fixtures of the staff tests: a unit staff account, a desk with printed sheets, and a
second application on the same database, as another worker process would run it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from survey_app import create_app
from survey_app.extensions import db
from tests.support import app_config


@pytest.fixture
def make_app(database_url) -> Iterator[Callable[..., Flask]]:
    """Build extra apps on the test's database; their connections are closed afterwards."""
    made: list[Flask] = []

    def make(**overrides) -> Flask:
        app = create_app(app_config(database_url, **overrides))
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()


@pytest.fixture
def make_canbo(make_unit, make_user):
    """A unit staff account ``canbo`` of a fresh unit; returns (user, password)."""
    def make():
        return make_user(units=[make_unit()])
    return make


