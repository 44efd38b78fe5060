"""API tokens: made and revoked on the account page, stored hashed, shown once, audited;
a wrong or revoked token is a 401 problem, and a token reads only what its owner may."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from survey_app.domain.accounts import api_tokens
from survey_app.errors import DomainError
from survey_app.extensions import db
from survey_app.models import ApiToken, AuditEvent
from tests.api.conftest import bearer

PROBLEM = "application/problem+json"


def _secret_on(page: str) -> str:
    return re.search(r'<code id="api-token-secret">(ks_[A-Za-z0-9_-]+)</code>', page).group(1)


def test_a_token_made_on_the_account_page_is_shown_once_and_stored_hashed(
        client, login_as, world):
    login_as(world.staff)
    page = client.get("/staff/account/api-tokens")
    assert page.status_code == 200 and "Chưa có mã truy cập nào" in page.get_data(as_text=True)
    made = client.post("/staff/account/api-tokens", data={"name": "Máy tính bảng quầy 1"})
    assert made.status_code == 200
    assert made.headers["Cache-Control"] == "no-store"
    secret = _secret_on(made.get_data(as_text=True))
    db.session.rollback()  # end the test's read snapshot: see what the request wrote
    token = db.session.scalar(select(ApiToken))
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in repr([tuple(row) for row in db.session.execute(
        select(ApiToken.__table__))]), "the secret itself must not be stored"
    assert token.prefix == secret[:10] and token.name == "Máy tính bảng quầy 1"
    again = client.get("/staff/account/api-tokens").get_data(as_text=True)
    assert secret not in again and token.prefix in again
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.create"))
    assert event.user_id == world.staff.id and secret not in str(event.after)
    assert client.get("/api/v1/units", headers=bearer(secret)).status_code == 200


def test_a_revoked_token_is_refused_and_the_revocation_audited(client, login_as, world,
                                                               token_for):
    headers = token_for(world.staff)
    assert client.get("/api/v1/units", headers=headers).status_code == 200
    token = db.session.scalar(select(ApiToken))
    login_as(world.staff)
    reply = client.post(f"/staff/account/api-tokens/{token.id}/revoke")
    assert reply.status_code == 302
    db.session.rollback()
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    refused = client.get("/api/v1/units", headers=headers)
    assert refused.status_code == 401 and refused.mimetype == PROBLEM
    assert refused.get_json()["code"] == "token_invalid"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.revoke"))


def test_nobody_revokes_another_accounts_token(client, login_as, world, token_for):
    headers = token_for(world.other_staff)
    token = db.session.scalar(select(ApiToken))
    login_as(world.staff)
    assert client.post(f"/staff/account/api-tokens/{token.id}/revoke").status_code == 404
    assert client.get("/api/v1/units", headers=headers).status_code == 200


def test_missing_wrong_and_malformed_tokens_are_401_problems(client, world):
    for headers in ({}, bearer("ks_" + "x" * 43), bearer("not-a-token"), {"Authorization":
                    "Basic dXNlcjpwYXNz"}, bearer("ks_" + "é" * 10), bearer("x" * 5000)):
        reply = client.get("/api/v1/campaigns", headers=headers)
        assert reply.status_code == 401, headers
        assert reply.mimetype == PROBLEM
        body = reply.get_json()
        assert body["code"] in ("token_missing", "token_invalid")
        assert body["title"] and body["title_en"] and body["detail_en"]
        assert reply.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_locked_account_s_tokens_stop_working(client, world, token_for):
    headers = token_for(world.viewer)
    world.viewer.active = False
    db.session.commit()
    assert client.get("/api/v1/campaigns", headers=headers).status_code == 401


def test_a_staff_session_cookie_is_no_api_credential(client, login_as, world):
    login_as(world.admin)
    assert client.get("/api/v1/campaigns").status_code == 401


def test_a_token_carries_the_owner_s_current_units(client, world, token_for):
    headers = token_for(world.staff)
    assert client.get("/api/v1/units/xa-khac", headers=headers).status_code == 403
    world.staff.units.append(world.other)
    db.session.commit()
    assert client.get("/api/v1/units/xa-khac", headers=headers).status_code == 200


def test_unit_staff_cannot_read_other_units_data(client, world, token_for):
    headers = token_for(world.staff)
    units = client.get("/api/v1/units", headers=headers).get_json()
    assert [unit["code"] for unit in units["items"]] == ["xa-minh"]
    reply = client.get("/api/v1/units/xa-khac", headers=headers)
    assert reply.status_code == 403 and reply.mimetype == PROBLEM
    campaign = client.get("/api/v1/campaigns/dot-1", headers=headers).get_json()
    assert campaign["units"] == ["xa-minh"]
    results = client.get("/api/v1/campaigns/dot-1/results", headers=headers).get_json()
    assert {unit["unit_code"] for unit in results["units"]} <= {"xa-minh"}
    progress = client.get("/api/v1/campaigns/dot-1/progress", headers=headers).get_json()
    assert [row["unit_code"] for row in progress["units"]] == ["xa-minh"]
    assert client.get("/api/v1/campaigns/dot-1/responses", headers=headers).status_code == 403


def test_a_campaign_without_the_staff_s_units_is_not_found(client, world, token_for,
                                                          make_unit, make_campaign):
    third = make_unit("xa-ba", "Xã Ba")
    make_campaign([third], code="dot-rieng")
    headers = token_for(world.staff)
    codes = [c["code"] for c in client.get("/api/v1/campaigns", headers=headers)
             .get_json()["items"]]
    assert codes == ["dot-1"]
    for path in ("", "/results", "/progress", "/snapshots"):
        reply = client.get(f"/api/v1/campaigns/dot-rieng{path}", headers=headers)
        assert reply.status_code == 404 and reply.mimetype == PROBLEM, path


def test_tokens_are_limited_per_account(world):
    for number in range(api_tokens.MAX_ACTIVE):
        api_tokens.create_token(world.viewer, f"Mã {number}")
    with pytest.raises(DomainError, match="tối đa"):
        api_tokens.create_token(world.viewer, "Một mã nữa")
