"""Staff accounts: password hashing (Argon2id), generated passwords, creation."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import select

from ...errors import DomainError
from ...extensions import db
from ...models import Role, Unit, User, utcnow
from ...support.text import clean_text

# No 0/O, 1/l/I: generated passwords are read off a screen and typed by hand.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
MIN_PASSWORD_LENGTH = 10


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(time_cost=config["ARGON2_TIME_COST"],
                          memory_cost=config["ARGON2_MEMORY_COST"],
                          parallelism=config["ARGON2_PARALLELISM"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(user: User, password: str) -> bool:
    """Check a password; re-hash it in place when the configured cost has changed."""
    hasher = _hasher()
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def generate_password(groups: int = 4) -> str:
    """A random password like ``k7Pq-9xTz-M4bw-ue3R`` (about 94 bits)."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(groups))


def password_problem(password: str, username: str) -> str | None:
    """Why a chosen password is refused, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự."
    if username.lower() in password.lower():
        return "Mật khẩu không được chứa tên đăng nhập."
    return None


def set_password(user: User, password: str) -> None:
    """Store a new password and end every open session of the account."""
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.end_sessions()


def username_problem(username: str) -> str | None:
    """Why a (lower-cased) user name is not acceptable, or None."""
    if not username:
        return "Tên đăng nhập không được để trống."
    if not username.isascii() or not username.replace("-", "").replace("_", "").replace(
            ".", "").isalnum():
        return "Tên đăng nhập chỉ gồm chữ không dấu, số, “.”, “_”, “-”."
    return None


def create_user(username: str, full_name: str, role: Role, units: list[Unit] | None = None,
                password: str | None = None) -> tuple[User, str]:
    """A new account (added to the session) and its password, generated when not given.

    The one place the account rules live, for the web, the command line and the demo.
    """
    username = username.strip().lower()
    problem = username_problem(username)
    if problem:
        raise DomainError(problem)
    full_name = clean_text(full_name)
    if db.session.scalar(select(User.id).filter_by(username=username)):
        raise DomainError(f"Tên đăng nhập “{username}” đã có hoặc để trống.")
    if role is Role.UNIT_STAFF and not units:
        raise DomainError("Cán bộ đơn vị phải được gán ít nhất một đơn vị.")
    generated = password is None
    password = password or generate_password()
    user = User(username=username, full_name=full_name.strip() or username, role=role,
                password_hash=hash_password(password), must_change_password=generated,
                units=list(units or []))
    db.session.add(user)
    return user, password
