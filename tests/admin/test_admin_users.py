"""Staff accounts managed by admins: create, reset, edit, (de)activate."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Role, User


def read_user(username: str) -> User | None:
    db.session.rollback()  # end the read snapshot: see what the requests wrote
    return db.session.scalar(select(User).where(User.username == username))


def shown_password(page: str) -> str:
    return re.search(r'<p class="secret"><code>([^<]+)</code>', page).group(1)


def test_a_new_account_gets_a_password_shown_once_that_must_be_changed(
        app, client, admin, make_unit, audit_actions):
    unit = make_unit("xa-canh-hien", "Xã Canh Hiển")
    response = client.post("/admin/users/new", data={
        "username": "hien.canbo", "full_name": "Nguyễn Văn Hiển", "role": "unit_staff",
        "unit_ids": [str(unit.id)]})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    password = shown_password(response.get_data(as_text=True))
    user = read_user("hien.canbo")
    assert (user.role, [u.code for u in user.units]) == (Role.UNIT_STAFF, ["xa-canh-hien"])
    assert user.must_change_password is True
    assert password not in user.password_hash
    assert audit_actions() == ["user.create"]
    assert password not in client.get("/admin/users").get_data(as_text=True)
    person = app.test_client()
    login = person.post("/staff/login", data={"username": "hien.canbo", "password": password})
    assert login.headers["Location"] == "/staff/password"


@pytest.mark.parametrize(("data", "message"), [
    ({"username": "quantri", "role": "viewer"}, "đã có"),
    ({"username": "canbo", "role": "unit_staff"}, "ít nhất một đơn vị"),
    ({"username": "cán bộ", "role": "viewer"}, "chữ không dấu"),
])
def test_bad_new_accounts_are_refused(client, admin, data, message):
    response = client.post("/admin/users/new", data={"full_name": "Ai Đó", **data})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalars(select(User.username)).all() == ["quantri"]


def test_resetting_a_password_ends_sessions_and_forces_a_change(app, client, admin, make_unit,
                                                                make_user, audit_actions):
    user, old = make_user(units=[make_unit()])
    person = app.test_client()
    person.post("/staff/login", data={"username": "canbo", "password": old})
    response = client.post(f"/admin/users/{user.id}/reset-password", data={"confirmed": "1"})
    assert response.status_code == 200
    new = shown_password(response.get_data(as_text=True))
    assert person.get("/staff/").headers["Location"].startswith("/staff/login")
    assert read_user("canbo").must_change_password is True
    assert app.test_client().post("/staff/login", data={
        "username": "canbo", "password": old}).status_code == 200
    assert app.test_client().post("/staff/login", data={
        "username": "canbo", "password": new}).headers["Location"] == "/staff/password"
    assert "user.reset_password" in audit_actions()


def test_deactivating_an_account_logs_it_out_and_blocks_login(app, client, admin, make_unit,
                                                              make_user):
    user, password = make_user(units=[make_unit()])
    person = app.test_client()
    person.post("/staff/login", data={"username": "canbo", "password": password})
    assert client.post(f"/admin/users/{user.id}/active",
                       data={"active": "0", "confirmed": "1"}).status_code == 302
    assert read_user("canbo").active is False
    assert person.get("/staff/").headers["Location"].startswith("/staff/login")
    client.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    assert read_user("canbo").active is True


def test_an_admin_cannot_lock_or_demote_themself(client, admin):
    response = client.post(f"/admin/users/{admin.id}/active", data={"active": "0"})
    assert response.status_code == 409
    assert "Không thể tự khóa" in response.get_data(as_text=True)
    response = client.post(f"/admin/users/{admin.id}", data={"full_name": "Q", "role": "viewer"})
    assert response.status_code == 400
    stored = read_user("quantri")
    assert (stored.active, stored.role) == (True, Role.ADMIN)


def test_editing_role_and_units(client, admin, make_unit, make_user, audit_actions):
    one, two = make_unit(), make_unit("xa-hai", "Xã Hai")
    user, _ = make_user(units=[one])
    response = client.post(f"/admin/users/{user.id}", data={
        "full_name": "Cán Bộ Mới", "role": "unit_staff", "unit_ids": [str(two.id)]})
    assert response.status_code == 302
    stored = read_user("canbo")
    assert (stored.full_name, [u.code for u in stored.units]) == ("Cán Bộ Mới", ["xa-hai"])
    client.post(f"/admin/users/{user.id}", data={"full_name": "X", "role": "viewer"})
    stored = read_user("canbo")
    assert (stored.role, stored.units) == (Role.VIEWER, [])
    assert audit_actions() == ["user.update", "user.update"]


def test_the_users_page_lists_accounts(client, admin):
    page = client.get("/admin/users").get_data(as_text=True)
    assert "quantri" in page and "Quản trị (Phòng Nội vụ)" in page


def test_a_tampered_role_is_refused_in_vietnamese(client, admin):
    response = client.post("/admin/users/new", data={"username": "moi", "full_name": "Mới",
                                                      "role": "superuser"})
    assert response.status_code == 400
    assert "Lựa chọn không hợp lệ" in response.get_data(as_text=True)
    assert read_user("moi") is None


def test_an_account_change_is_credited_to_the_acting_admin_not_whoever_is_signed_in(
        app, make_user):
    # The audit names the acting user passed to the service; it used to take whoever was
    # signed in in the request, whatever the caller said.
    from flask_login import login_user

    from survey_app.database import write_transaction
    from survey_app.domain.accounts import user_admin
    from survey_app.models import AuditEvent

    signed_in, _ = make_user("nguoi-khac", Role.ADMIN)
    acting, _ = make_user("phongnoivu", Role.ADMIN)
    target, _ = make_user("canbo", Role.VIEWER)
    with app.test_request_context():
        login_user(signed_in)
        with write_transaction():
            user_admin.update_account(target, acting, "Cán Bộ", Role.VIEWER, [])
    event = db.session.scalar(select(AuditEvent).filter_by(action="user.update"))
    assert event.user_id == acting.id


def test_the_account_list_is_searched_by_name(client, admin, make_user, make_unit):
    unit = make_unit()
    for username, name in (("canbo-a", "Nguyễn Văn An"), ("canbo-b", "Trần Thị Bình")):
        make_user(username, units=[unit])[0].full_name = name
    db.session.commit()
    page = client.get("/admin/users?q=Bình").get_data(as_text=True)
    assert "1 tài khoản có “Bình”" in page and "canbo-b" in page and "canbo-a" not in page
