"""Signing staff in and changing their own password; every outcome is audited."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ...database import write_transaction
from ...errors import DomainError
from ...extensions import db
from ...models import User, utcnow
from ..audit import audit
from . import login_throttle
from .accounts import hash_password, password_problem, set_password, verify_password
from .login_throttle import Throttle

_dummy_hash: dict[str, str] = {}


@dataclass(frozen=True)
class SignIn:
    """The outcome of a login attempt: the user, or why not."""

    user: User | None = None
    throttle: Throttle | None = None


def password_ok(user: User | None, password: str) -> bool:
    """Whether ``password`` opens ``user`` (active); as slow for a missing or locked account,
    so timing tells nothing."""
    if user is None or not user.active:
        _burn_time(password)
        return False
    return verify_password(user, password)


def attempt(username: str, password: str, address: str | None) -> SignIn:
    """Check throttling and the password in one write transaction; record the outcome."""
    name = username.strip().lower()[:login_throttle.MAX_USERNAME]
    if "\x00" in name:  # no account has one, and PostgreSQL cannot even compare it
        _burn_time(password)
        return SignIn()
    with write_transaction() as session:
        throttle = login_throttle.check(name, address)
        user = session.scalar(select(User).where(User.username == name))
        # A name that is no account is not written to the log: it may be a password typed
        # into the wrong box.
        logged_name = name[:64] if user is not None else None
        if throttle is not None:
            audit.record("login.refused", user=None, object_type="user", object_id=logged_name,
                         note=f"tạm khóa, còn {throttle.seconds} giây")
            return SignIn(throttle=throttle)
        if not password_ok(user, password):
            login_throttle.record_failure(name, address)
            audit.record("login.failure", user=None, object_type="user", object_id=logged_name,
                         note=None if user is not None else "tên đăng nhập không tồn tại")
            return SignIn()
        login_throttle.clear_account(name)
        user.last_login_at = utcnow()
        audit.record("login.success", object_type="user", object_id=user.username, user=user)
    return SignIn(user=user)


#: Named in the audit log's notes of a refused HTTP authentication.
HTTP_NOTE = "ODK/OpenRosa (HTTP Basic)"


def check_credentials(username: str, password: str, address: str | None) -> SignIn:
    """A machine client's HTTP authentication (ODK Collect sends it with every request).

    The web sign-in's rules: throttled per account and per client with the same failure
    records, failures and refusals audited. A success writes nothing (no session, no audit
    entry, no ``last_login_at``): a phone sends several requests for each form, and most of
    them need only read the database.
    """
    name = username.strip().lower()[:login_throttle.MAX_USERNAME]
    if "\x00" in name:
        _burn_time(password)
        return SignIn()
    session = db.session
    throttle = login_throttle.check(name, address)
    user = session.scalar(select(User).where(User.username == name))
    logged_name = name[:64] if user is not None else None
    if throttle is not None:
        with write_transaction():
            audit.record("login.refused", user=None, object_type="user", object_id=logged_name,
                         note=f"{HTTP_NOTE}: tạm khóa, còn {throttle.seconds} giây")
        return SignIn(throttle=throttle)
    if not password_ok(user, password):
        with write_transaction():
            login_throttle.record_failure(name, address)
            audit.record("login.failure", user=None, object_type="user", object_id=logged_name,
                         note=HTTP_NOTE if user is not None
                         else f"{HTTP_NOTE}: tên đăng nhập không tồn tại")
        return SignIn()
    rehashed = session.is_modified(user)  # verify_password re-hashed under a new cost
    if rehashed or login_throttle.has_failures(name):
        new_hash = user.password_hash
        session.rollback()
        with write_transaction():
            login_throttle.clear_account(name)
            user.password_hash = new_hash
    return SignIn(user=user)


def _burn_time(password: str) -> None:
    # Unknown accounts take as long as known ones, so timing does not reveal usernames.
    if "hash" not in _dummy_hash:
        _dummy_hash["hash"] = hash_password("not-a-real-password-0000")
    verify_password(User(password_hash=_dummy_hash["hash"]), password)


def change_own_password(user: User, current: str, new: str) -> None:
    """Set ``user``'s new password after checking the current one; ends other sessions."""
    if not verify_password(user, current):
        raise DomainError("Mật khẩu hiện tại không đúng.")
    problem = password_problem(new, user.username)
    if problem:
        raise DomainError(problem)
    if verify_password(user, new):
        raise DomainError("Mật khẩu mới phải khác mật khẩu hiện tại.")
    set_password(user, new)
    user.must_change_password = False
    audit.record("user.change_password", object_type="user", object_id=user.username,
                 user=user)
