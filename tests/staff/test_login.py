"""Staff login: passwords, throttling shared by workers, logout ending the session, ``next``."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditEvent, LoginFailure, Role, User
from survey_app.staff.safe_redirect import safe_next

LOGIN = "/staff/login"


def post_login(client, username="canbo", password="mat-khau-thu-123", **extra):
    return client.post(LOGIN, data={"username": username, "password": password, **extra})


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_login_with_the_right_password_opens_the_staff_pages(client, make_canbo):
    make_canbo()
    response = post_login(client)
    assert response.status_code == 302
    page = client.get("/staff/password")  # an account page: signed in, not sent to login
    assert page.status_code == 200
    assert "Đăng xuất" in page.get_data(as_text=True)
    db.session.rollback()  # end the read snapshot: see what the requests wrote
    user = db.session.scalar(select(User).filter_by(username="canbo"))
    assert user.last_login_at is not None
    assert actions() == ["login.success"]


@pytest.mark.parametrize(("username", "password"), [("canbo", "sai-mat-khau-123"),
                                                    ("khong-co-ai", "mat-khau-thu-123")])
def test_a_wrong_password_or_unknown_name_gets_the_same_message(client, make_canbo,
                                                                 username, password):
    make_canbo()
    response = post_login(client, username, password)
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302
    assert actions() == ["login.failure"]


def test_a_deactivated_account_cannot_log_in(client, make_canbo):
    user, _ = make_canbo()
    user.active = False
    db.session.commit()
    response = post_login(client)
    assert "không đúng" in response.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")


def test_login_page_labels_its_fields(client):
    page = client.get(LOGIN).get_data(as_text=True)
    assert '<label for="username">Tên đăng nhập</label>' in page
    assert '<label for="password">Mật khẩu</label>' in page


def test_five_failures_make_the_account_wait_with_a_vietnamese_message(client, make_canbo):
    make_canbo()
    for _ in range(5):
        assert post_login(client, password="sai-mat-khau-123").status_code == 200
    refused = post_login(client)  # even the right password waits
    assert refused.status_code == 429
    text = refused.get_data(as_text=True)
    assert "Vui lòng chờ khoảng 5 phút" in text
    assert client.get("/staff/").status_code == 302
    assert actions()[-1] == "login.refused"


def test_failures_count_per_client_over_many_accounts(app, client, make_canbo):
    app.config["LOGIN_CLIENT_FAILURE_LIMIT"] = 3
    make_canbo()
    for name in ("a1", "a2", "a3"):
        post_login(client, name, "sai-mat-khau-123")
    assert post_login(client).status_code == 429
    stored = db.session.scalars(select(LoginFailure.key)).all()
    assert all("127.0.0.1" not in key for key in stored)


def test_the_wait_ends_by_itself(client, make_canbo):
    make_canbo()
    for _ in range(5):
        post_login(client, password="sai-mat-khau-123")
    assert post_login(client).status_code == 429
    # Six minutes later (the lockout is five): age every stored failure instead of sleeping.
    rows = db.session.scalars(select(LoginFailure)).all()
    for row in rows:
        row.failed_at = row.failed_at - timedelta(minutes=6)
    db.session.commit()
    assert post_login(client).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(LoginFailure).where(
        LoginFailure.key == "user:canbo")) == 0


def test_throttling_holds_across_two_app_processes_on_one_database(app, make_app,
                                                                  make_canbo):
    make_canbo()
    first = make_app().test_client()
    second = make_app().test_client()
    for attempt in range(5):
        worker = first if attempt % 2 else second
        assert post_login(worker, password="sai-mat-khau-123").status_code == 200
    assert post_login(first).status_code == 429
    assert post_login(second).status_code == 429


def test_logout_ends_the_session_and_an_old_cookie_no_longer_works(client, make_canbo):
    make_canbo()
    post_login(client)
    assert client.get("/staff/").status_code in (200, 302)
    old_cookie = client.get_cookie("khaosat_session").value
    response = client.post("/staff/logout")
    assert response.status_code == 302
    assert client.get("/staff/").headers["Location"].startswith(LOGIN)
    client.set_cookie("khaosat_session", old_cookie)
    replay = client.get("/staff/")
    assert replay.status_code == 302
    assert replay.headers["Location"].startswith(LOGIN)
    assert actions() == ["login.success", "logout"]


def test_logout_needs_post(client, make_canbo, login_as):
    user, _ = make_canbo()
    login_as(user)
    assert client.get("/staff/logout").status_code == 405


def test_logout_refuses_a_missing_csrf_token(app, client, make_canbo, login_as):
    app.config["WTF_CSRF_ENABLED"] = True
    user, _ = make_canbo()
    login_as(user)
    assert client.post("/staff/logout").status_code == 400
    db.session.rollback()  # end the read snapshot: see what the requests wrote
    assert db.session.get(User, user.id).session_token == user.session_token


@pytest.mark.parametrize("target", [
    "//evil.example/x", "https://evil.example/", "/\\evil.example", "\\\\evil.example",
    "javascript:alert(1)", "/\t/evil.example", "http:/evil.example", "evil.example",
    " //evil.example", "///evil.example", "/\n/evil.example", "https:evil.example",
])
def test_next_never_leaves_the_site(client, make_canbo, target):
    make_canbo()
    response = post_login(client, next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"
    assert safe_next(target) is None


def test_next_to_an_on_site_path_is_followed(client, make_canbo):
    make_canbo()
    page = client.get(LOGIN + "?next=/staff/password%3Fa%3D1")
    assert 'value="/staff/password?a=1"' in page.get_data(as_text=True)
    response = post_login(client, next="/staff/password?a=1")
    assert response.headers["Location"] == "/staff/password?a=1"


def test_first_login_with_a_given_password_forces_a_change(client, make_canbo):
    user, password = make_canbo()
    user.must_change_password = True
    db.session.commit()
    response = post_login(client, password=password, next="/admin/users")
    assert response.headers["Location"] == "/staff/password"
    assert client.get("/staff/").headers["Location"] == "/staff/password"
    changed = client.post("/staff/password", data={
        "current_password": password, "new_password": "mot-mat-khau-moi-9",
        "confirm": "mot-mat-khau-moi-9"})
    assert changed.status_code == 302
    assert client.get("/staff/").status_code in (200, 302)
    assert client.get("/staff/").headers.get("Location") != "/staff/password"
    db.session.rollback()  # end the read snapshot: see what the requests wrote
    assert db.session.get(User, user.id).must_change_password is False


def test_admin_role_logs_in_too(client, make_user):
    make_user("quantri", Role.ADMIN)
    assert post_login(client, "QuanTri ").status_code == 302


def test_an_expired_login_form_is_shown_again_with_the_name_kept(app, client, make_canbo):
    app.config["WTF_CSRF_ENABLED"] = True
    make_canbo()
    response = post_login(client, csrf_token="het-han")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "phiên làm việc hết hạn" in page
    assert 'value="canbo"' in page
    assert client.get("/staff/").status_code == 302
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert post_login(client, csrf_token=token).status_code == 302


def test_an_empty_login_form_is_refused(client):
    response = client.post(LOGIN, data={"username": "", "password": ""})
    assert response.status_code == 400
    assert "Vui lòng nhập trường này." in response.get_data(as_text=True)


def test_a_name_that_is_no_account_is_not_written_to_the_audit_log(client, make_canbo):
    """Someone who types their password into the name box must not find it in the log."""
    make_canbo()
    post_login(client, "MatKhauBiMat-2026", "x")
    [event] = db.session.scalars(select(AuditEvent)).all()
    assert event.action == "login.failure"
    assert "matkhaubimat" not in repr((event.object_id, event.note, event.before, event.after))
    assert event.note == "tên đăng nhập không tồn tại"
