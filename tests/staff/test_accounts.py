"""Changing one's own password, and the production cookie settings."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey_app.domain.accounts.accounts import verify_password
from survey_app.extensions import db
from survey_app.models import AuditEvent, Unit, User

NEW = "mot-mat-khau-moi-9"


def change(client, current, new=NEW, confirm=None):
    return client.post("/staff/password", data={"current_password": current,
                                                "new_password": new,
                                                "confirm": confirm or new})


def test_changing_the_password_keeps_this_session_and_ends_others(app, client, make_canbo):
    user, password = make_canbo()
    client.post("/staff/login", data={"username": "canbo", "password": password})
    other = app.test_client()
    other.post("/staff/login", data={"username": "canbo", "password": password})
    assert other.get("/staff/").status_code in (200, 302)
    response = change(client, password)
    assert response.status_code == 302
    page = client.get("/staff/password")  # an account page: signed in, not sent to login
    assert "Đăng xuất" in page.get_data(as_text=True)
    assert other.get("/staff/").headers["Location"].startswith("/staff/login")
    db.session.rollback()  # end the read snapshot: see what the requests wrote
    stored = db.session.get(User, user.id)
    assert verify_password(stored, NEW)
    assert not verify_password(stored, password)
    assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())
                             ) == "user.change_password"


@pytest.mark.parametrize(("current", "new", "confirm", "message"), [
    ("sai-mat-khau-123", NEW, None, "Mật khẩu hiện tại không đúng."),
    ("mat-khau-thu-123", "ngan", None, "ít nhất 10 ký tự"),
    ("mat-khau-thu-123", "canbo-123456", None, "không được chứa tên đăng nhập"),
    ("mat-khau-thu-123", NEW, "khac-hoan-toan-1", "Hai lần nhập không khớp."),
    ("mat-khau-thu-123", "mat-khau-thu-123", None, "phải khác mật khẩu hiện tại"),
])
def test_bad_password_changes_are_refused_with_a_reason(client, make_canbo, login_as, current,
                                                        new, confirm, message):
    user, password = make_canbo()
    login_as(user)
    response = change(client, current, new, confirm)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.rollback()  # end the read snapshot: see what the requests wrote
    assert verify_password(db.session.get(User, user.id), password)


def test_change_password_page_needs_login(client):
    assert client.get("/staff/password").headers["Location"].startswith("/staff/login")


def test_production_cookies_are_secure_httponly_and_samesite(make_app):
    app = make_app(PRODUCTION=True)
    config = app.config
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


def test_the_session_cookie_is_sent_with_its_flags(make_app, make_canbo):
    make_canbo()
    app = make_app(PRODUCTION=True)
    client = app.test_client()
    response = client.post("/staff/login", data={"username": "canbo",
                                                 "password": "mat-khau-thu-123"},
                           base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_demo_admin_creates_a_unit_account_that_then_works_only_for_its_unit(app, client,
                                                                          runner):
    """The walk-through of the issue: seed-demo's admin creates staff for Xã Canh Hiển."""
    seeded = runner.invoke(args=["seed-demo", "--scenario", "district-2021", "--responses", "0"])
    admin_password = re.search(r"mật khẩu: (\S+)", seeded.output).group(1)
    admin = client  # its fixture also gives every client of this app its own contexts
    login = admin.post("/staff/login", data={"username": "admin", "password": admin_password})
    assert login.headers["Location"] == "/staff/password"
    change(admin, admin_password, "mat-khau-quan-tri-moi")
    hien = db.session.scalar(select(Unit).where(Unit.code == "xa-canh-hien"))
    hiep = db.session.scalar(select(Unit).where(Unit.code == "xa-canh-hiep"))
    created = admin.post("/admin/users/new", data={
        "username": "canbo.hien", "full_name": "Cán bộ Canh Hiển", "role": "unit_staff",
        "unit_ids": [str(hien.id)]})
    password = re.search(r'<p class="secret"><code>([^<]+)</code>', created.get_data(
        as_text=True)).group(1)
    person = app.test_client()
    person.post("/staff/login", data={"username": "canbo.hien", "password": password})
    assert change(person, password, "mat-khau-rieng-cua-hien").status_code == 302
    assert person.get("/staff/password").status_code == 200
    assert person.get("/admin/users").status_code == 403
    assert person.get(f"/admin/units/{hiep.id}/counters").status_code == 403
    db.session.rollback()  # end the read snapshot: see what the requests wrote
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-3:] == ["user.create", "login.success", "user.change_password"]
