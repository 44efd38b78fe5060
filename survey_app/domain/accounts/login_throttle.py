"""Login throttling kept in the database, so every worker process sees the same failures.

Two sliding windows over ``LoginFailure`` rows:

- per account (``user:<name>``): after ``LOGIN_FAILURE_LIMIT`` failures within
  ``LOGIN_FAILURE_WINDOW_MINUTES`` the account waits ``LOGIN_LOCKOUT_MINUTES`` counted from
  its latest failure. The wait is short and ends by itself, so a stranger who types wrong
  passwords on purpose can only hold an account for a few minutes at a time;
- per client (``client:<keyed hash of the address>``, never the address itself):
  ``LOGIN_CLIENT_FAILURE_LIMIT`` failures over any accounts within the same window.

Attempts refused while waiting are not recorded, so they do not lengthen the wait.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from ...extensions import db
from ...models import LoginFailure, utcnow

MAX_USERNAME = 80


@dataclass(frozen=True)
class Throttle:
    """A refusal: how many seconds are left before the next attempt is accepted."""

    seconds: int

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.seconds / 60))

    @property
    def message(self) -> str:
        return (f"Đăng nhập sai quá nhiều lần. Vui lòng chờ khoảng {self.minutes} phút rồi thử "
                "lại.")


def account_key(username: str) -> str:
    return "user:" + username.strip().lower()[:MAX_USERNAME]


def client_key(address: str | None) -> str:
    """A keyed hash of the client address: failures can be counted, addresses not recovered."""
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, f"login-client:{address or '-'}".encode(), hashlib.sha256)
    return "client:" + digest.hexdigest()


def _window() -> timedelta:
    return timedelta(minutes=float(current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"]))


def _recent(key: str, now: datetime) -> tuple[int, datetime | None]:
    query = select(func.count(), func.max(LoginFailure.failed_at)).where(
        LoginFailure.key == key, LoginFailure.failed_at > now - _window())
    count, latest = db.session.execute(query).one()
    return int(count), latest


def check(username: str, address: str | None, now: datetime | None = None) -> Throttle | None:
    """A ``Throttle`` when this attempt must wait, else None."""
    now = now or utcnow()
    config = current_app.config
    lockout = timedelta(minutes=float(config["LOGIN_LOCKOUT_MINUTES"]))
    waits = []
    for key, limit, hold in ((account_key(username), config["LOGIN_FAILURE_LIMIT"], lockout),
                             (client_key(address), config["LOGIN_CLIENT_FAILURE_LIMIT"],
                              lockout)):
        count, latest = _recent(key, now)
        if count >= int(limit) and latest is not None:
            until = _aware(latest) + hold
            if until > now:
                waits.append(until - now)
    if not waits:
        return None
    return Throttle(seconds=math.ceil(max(waits).total_seconds()))


def record_failure(username: str, address: str | None, now: datetime | None = None) -> None:
    """Remember a failed attempt for both keys; forget failures older than the window."""
    now = now or utcnow()
    db.session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= now - _window()))
    db.session.add_all([LoginFailure(key=account_key(username), failed_at=now),
                        LoginFailure(key=client_key(address), failed_at=now)])


def has_failures(username: str, now: datetime | None = None) -> bool:
    """Whether the account has failures within the window (a success then clears them)."""
    return _recent(account_key(username), now or utcnow())[0] > 0


def clear_account(username: str) -> None:
    """A successful login wipes the account's failures (not the client's)."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.key == account_key(username)))


def _aware(moment: datetime) -> datetime:
    # Defensive: an aggregate may come back naive on some drivers; stored values are UTC.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment
