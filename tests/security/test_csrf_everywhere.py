"""Every state-changing route refuses a post without a valid CSRF token, and nothing changes.

The routes are read from the app's URL map, so a form added later is covered without
editing this file.
"""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.routing import IntegerConverter, Rule

from survey_app.domain.operations.seeding import seed_demo
from survey_app.extensions import db
from survey_app.models import Counter, Response, Role
from survey_app.support.dates import today_local
from tests.public.public_support import full_answers

#: Routes that check the token inside the view (so an expired page keeps what was typed).
CHECKED_IN_VIEW = {"public.counter_submit", "public.sheet_submit", "staff.login"}
#: Routes that a signed-in person never posts to (the login form sends them on).
ANONYMOUS_ONLY = {"staff.login"}
#: Machine endpoints (the OpenRosa server for ODK Collect): no session cookie is read, every
#: request carries HTTP Basic credentials and ``X-OpenRosa-Version: 1.0`` (which no
#: cross-site form can send), and refusals are OpenRosa XML, not the expired-session page.
#: They must still refuse the forged post with a 4xx and change nothing, as checked below.
MACHINE_ENDPOINTS = {"openrosa.submission"}


@pytest.fixture
def config_overrides(config_overrides):
    return {**config_overrides, "WTF_CSRF_ENABLED": True}


def database_digest() -> str:
    """A fingerprint of every row of every table."""
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        for row in db.session.execute(sa.select(table).order_by(*order)):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def post_rules(app: Flask) -> list[Rule]:
    return sorted((rule for rule in app.url_map.iter_rules()
                   if "POST" in (rule.methods or ()) and rule.endpoint != "static"),
                  key=lambda rule: rule.rule)


def path_for(rule: Rule, token: str) -> str:
    """The rule's path with every id an existing one (1) and real values for its text parts
    (a counter token, a poster's paper and QR format, a download format, a unit code, the
    demo campaign, unit and form of an OpenRosa address, and a results job id)."""
    texts = {"token": token, "paper": "a4", "kind": "png", "fmt": "xlsx", "code": "p-tn-mt",
             "campaign_code": "demo", "unit_code": "p-tn-mt", "form_id": "sipas-2640",
             "job": "0" * 32}
    values = {name: 1 if isinstance(rule._converters[name], IntegerConverter) else texts[name]
              for name in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def test_no_post_route_accepts_a_missing_or_forged_token(app, client, make_user, login_as):
    anonymous = app.test_client()
    seed_demo(today_local())
    db.session.commit()
    admin, _ = make_user("qt-csrf", role=Role.ADMIN)
    login_as(admin)
    token = db.session.scalar(sa.select(Counter.token).limit(1))
    before = database_digest()
    rules = post_rules(app)
    assert any(rule.endpoint == "public.counter_submit" for rule in rules)
    for rule in rules:
        path = path_for(rule, token)
        for forged in ({}, {"csrf_token": "forged"}):
            sender = anonymous if rule.endpoint in ANONYMOUS_ONLY else client
            reply = sender.post(path, data={**forged, **full_answers(), "name": "x",
                                            "username": "qt-csrf", "password": "x"})
            assert 400 <= reply.status_code < 500, (rule.rule, reply.status_code)
            if rule.endpoint not in CHECKED_IN_VIEW | MACHINE_ENDPOINTS \
                    and reply.status_code == 400:
                assert "Phiên làm việc đã hết hạn" in reply.get_data(as_text=True)
    db.session.expire_all()
    assert database_digest() == before, "a post without a valid CSRF token changed data"
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 0
