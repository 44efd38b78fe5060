"""Helpers shared by the fixtures and the tests that build their own app."""

from __future__ import annotations

import os

from flask_migrate import upgrade

from survey_app import create_app
from survey_app.extensions import db

POSTGRES_URL = os.environ.get("SURVEY_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("SURVEY_TEST_REQUIRE_POSTGRES") == "1"
BACKENDS = ["sqlite", "postgresql"]
REDIS_URL = os.environ.get("SURVEY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_REDIS = os.environ.get("SURVEY_TEST_REQUIRE_REDIS") == "1"


def app_config(database_url: str, **overrides) -> dict:
    """The configuration every test app starts from."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PUBLIC_BASE_URL": "https://khaosat.example.vn",
        # Argon2's cheapest settings: the cost itself is not what these tests check.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "SQLITE_SYNCHRONOUS": "NORMAL",
        # Results computed in the request, as before the progress page (issue 12): tests of
        # the progress page turn it on (tests/results/test_preparing.py).
        "RESULTS_IN_BACKGROUND": False,
    }
    config.update(overrides)
    return config


def migrate_to_head(database_url: str) -> None:
    app = create_app(app_config(database_url))
    with app.app_context():
        upgrade()
        for engine in db.engines.values():
            engine.dispose()


