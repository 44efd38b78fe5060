"""In the production configuration, cookies are Secure/HttpOnly/SameSite=Lax and HTTPS is
enforced by HSTS; pages forbid inline script and framing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey_app.domain.operations.seeding import seed_demo
from survey_app.extensions import db
from survey_app.models import Counter
from survey_app.support.dates import today_local


@pytest.fixture
def config_overrides(config_overrides):
    return {**config_overrides, "PRODUCTION": True, "WTF_CSRF_ENABLED": True}


def test_a_citizen_form_in_production_sends_safe_cookies_and_headers(app, client):
    seed_demo(today_local())
    db.session.commit()
    counter = db.session.scalar(select(Counter).limit(1))
    page = client.get(f"/s/{counter.token}", base_url="https://khaosat.example.vn")
    assert page.status_code == 200
    cookies = page.headers.getlist("Set-Cookie")
    assert cookies, "the form's CSRF token lives in a session cookie"
    for cookie in cookies:
        flags = {part.strip().lower() for part in cookie.split(";")}
        assert {"secure", "httponly", "samesite=lax"} <= flags, cookie
    assert "max-age=" in page.headers["Strict-Transport-Security"]
    csp = page.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
