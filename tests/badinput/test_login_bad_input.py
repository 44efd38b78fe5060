"""Login under bad input: ``next`` never leaves the site; odd usernames and passwords get the
login page again (never a 500), sign no one in and change no account."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey_app.extensions import db
from survey_app.models import Role, User
from tests.badinput.conftest import changed_tables, table_counts

#: ``next`` values that try to leave the site.
OFFSITE_NEXT = [
    "//evil.example",
    "https://evil.example",
    "http://evil.example/staff/",
    "/\\evil.example",
    "\\\\evil.example",
    "%2F%2Fevil.example",
    "javascript:alert(1)",
    "///evil.example",
    "/\t/evil.example",
    " //evil.example",
    "/\n/evil.example",
    "https:evil.example",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example@localhost",
    "/" + "a" * 3000,
]
#: Usernames that are no account (or try to be several).
ODD_USERNAMES = ["", " ", "x" * 81, "'; DROP TABLE app_user;--", "canbo' OR '1'='1", "%", "_",
                 "<script>alert(1)</script>", "canbo2", "cán bộ", "canbo\u200b", "canbo\u202e"]
ODD_PASSWORDS = ["", "x" * 201, "' OR '1'='1", "mat-khau-thu-123 ", "MAT-KHAU-THU-123"]
PASSWORD = "mat-khau-thu-123"


def stays_on_site(location: str) -> bool:
    parts = urlsplit(location)
    return (parts.netloc in ("", "localhost") and parts.scheme in ("", "http")
            and parts.path.startswith("/") and not parts.path.startswith("//")
            and "\\" not in location and "evil" not in parts.netloc)


def test_next_never_leaves_the_site(app, client, make_user):
    _user, password = make_user("canbo", Role.ADMIN)
    for target in OFFSITE_NEXT:
        form = client.get("/staff/login", query_string={"next": target})
        assert form.status_code == 200
        assert 'name="next" type="hidden" value=""' in form.get_data(as_text=True), target
        reply = client.post("/staff/login", data={"username": "canbo", "password": password,
                                                  "next": target})
        assert reply.status_code == 302, target
        assert stays_on_site(reply.headers["Location"]), (target, reply.headers["Location"])
        again = client.get("/staff/login", query_string={"next": target})
        assert again.status_code == 302 and stays_on_site(again.headers["Location"]), target
        client.post("/staff/logout")


def test_an_on_site_next_is_kept(client, make_user):
    make_user("canbo", Role.ADMIN)
    reply = client.post("/staff/login", data={"username": "canbo", "password": PASSWORD,
                                              "next": "/admin/units?x=1"})
    assert reply.headers["Location"] == "/admin/units?x=1"


def test_odd_credentials_sign_no_one_in_and_change_no_account(client, make_user):
    make_user("canbo", Role.ADMIN)
    before = table_counts()
    for username in ODD_USERNAMES:
        for password in (PASSWORD, ODD_PASSWORDS[2]):
            reply = client.post("/staff/login", data={"username": username,
                                                      "password": password})
            assert reply.status_code in (200, 400, 429), (username, password)
            html = reply.get_data(as_text=True)
            assert "Đăng nhập" in html and "<script>alert(1)" not in html
    for password in ODD_PASSWORDS:
        reply = client.post("/staff/login", data={"username": "canbo", "password": password})
        assert reply.status_code in (200, 400, 429), password
        assert client.get("/admin/units").status_code == 302  # still signed out
    # Failures are recorded (throttling, audit); no account, unit or response changes.
    assert set(changed_tables(before)) <= {"login_failure", "audit_event"}


def test_a_nul_byte_in_the_username_is_refused(client, make_user):
    make_user("canbo", Role.ADMIN)
    reply = client.post("/staff/login", data={"username": "canbo\x00", "password": PASSWORD})
    assert reply.status_code in (200, 400)


def test_a_nul_byte_in_the_password_is_refused(client, make_user):
    make_user("canbo", Role.ADMIN)
    reply = client.post("/staff/login", data={"username": "canbo", "password": "\x00" * 12})
    assert reply.status_code in (200, 400)
    assert "không đúng" in reply.get_data(as_text=True)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(username=st.text(st.characters(blacklist_characters="\x00",
                                      blacklist_categories=("Cs",)), max_size=90),
       password=st.text(max_size=40), target=st.text(max_size=30))
def test_generated_logins_never_cause_a_500(client, make_user, username, password, target):
    reply = client.post("/staff/login", data={"username": username, "password": password,
                                              "next": target})
    assert reply.status_code in (200, 400, 429)
    assert client.get("/admin/units").status_code == 302


@pytest.fixture
def signed_in(client, make_user, login_as):
    user, _ = make_user("canbo", Role.ADMIN)
    login_as(user)
    return user


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(target=st.one_of(st.text(max_size=40),
                        st.sampled_from(["/", "//", "\\", "http:", "evil.example"]).flatmap(
                            lambda head: st.text(max_size=10).map(lambda tail: head + tail))))
def test_generated_next_values_stay_on_site(client, signed_in, target):
    reply = client.get("/staff/login", query_string={"next": target})
    if "\x00" in target:  # refused at the door (survey_app/input_guard.py)
        assert reply.status_code == 400
        return
    assert reply.status_code == 302
    assert stays_on_site(reply.headers["Location"]), (target, reply.headers["Location"])


#: New passwords refused by the password-change form (current password typed right).
BAD_NEW_PASSWORDS = ["", "short", "x" * 201, "canbo-12345678", "\x00abc"]


def test_bad_new_passwords_change_nothing(client, make_user, login_as):
    user, password = make_user("canbo", Role.ADMIN)
    login_as(user)
    old_hash = user.password_hash
    before = table_counts()
    for new in BAD_NEW_PASSWORDS:
        reply = client.post("/staff/password", data={"current_password": password,
                                                     "new_password": new, "confirm": new})
        assert reply.status_code == 400, repr(new)
        html = reply.get_data(as_text=True)
        assert any(word in html for word in ("Vui lòng", "ít nhất", "Tối đa", "tên đăng nhập",
                                             "Mật khẩu")), repr(new)
    reply = client.post("/staff/password", data={"current_password": "<script>",
                                                 "new_password": "moi-hop-le-123",
                                                 "confirm": "moi-hop-le-456"})
    assert reply.status_code == 400
    assert changed_tables(before) == {}
    db.session.rollback()
    assert db.session.get(User, user.id).password_hash == old_hash
