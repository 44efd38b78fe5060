"""Personal API tokens: made and revoked by their owner, looked up by the hash of the secret.

A secret is ``ks_`` followed by 43 URL-safe characters (256 random bits), so the SHA-256 of it
is all that needs storing: there is nothing to guess and no salt to add. Making and revoking a
token are audited; a request with a token is checked against the owner's account as it is
now (active, role, units), never against what it was when the token was made.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from ...database import write_transaction
from ...errors import DomainError
from ...extensions import db
from ...models import ApiToken, User, utcnow
from ...support.text import clean_text
from ..audit import audit

SECRET_PREFIX = "ks_"  # noqa: S105 — the visible start of every secret, not a secret
#: Characters of the secret kept to tell tokens apart on the account page.
SHOWN_PREFIX = 10
MAX_NAME = 100
#: An owner's tokens that are not revoked, at most.
MAX_ACTIVE = 20
#: ``last_used_at`` is written at most this often, so reading the API is not a write each time.
TOUCH_EVERY = timedelta(minutes=5)
#: The longest header value worth hashing; a real secret is 46 characters.
MAX_SECRET = 200


@dataclass(frozen=True)
class NewToken:
    """A token just made; ``secret`` is shown to its owner once and never again."""

    token: ApiToken
    secret: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, the active ones first, newest first."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(),
                  ApiToken.id.desc())))


def create_token(user: User, name: str) -> NewToken:
    """A new token for ``user``, named ``name``; audited. Refused past ``MAX_ACTIVE``."""
    name = clean_text(name)
    if not name:
        raise DomainError("Vui lòng đặt tên cho mã truy cập (ví dụ: tên hệ thống sẽ dùng nó).")
    if len(name) > MAX_NAME:
        raise DomainError(f"Tên mã truy cập tối đa {MAX_NAME} ký tự.")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    with write_transaction() as session:
        active = session.scalar(select(db.func.count()).select_from(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))) or 0
        if active >= MAX_ACTIVE:
            raise DomainError(f"Tài khoản đã có {active} mã truy cập đang dùng (tối đa "
                              f"{MAX_ACTIVE}); hãy thu hồi mã không còn dùng trước.")
        token = ApiToken(user_id=user.id, name=name, prefix=secret[:SHOWN_PREFIX],
                         token_hash=hash_secret(secret))
        session.add(token)
        session.flush()
        audit.record("api_token.create", object_type="api_token", object_id=token.id,
                     after={"name": name, "prefix": token.prefix, "owner": user.username},
                     user=user)
    return NewToken(token=token, secret=secret)


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of ``user``'s own tokens; someone else's is "not found"."""
    with write_transaction() as session:
        token = session.scalar(select(ApiToken).where(ApiToken.id == token_id,
                                                      ApiToken.user_id == user.id))
        if token is None:
            raise LookupError(token_id)
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            audit.record("api_token.revoke", object_type="api_token", object_id=token.id,
                         before={"name": token.name, "prefix": token.prefix},
                         after={"revoked": True}, user=user)
    return token


def authenticate(secret: str, now: datetime | None = None) -> tuple[ApiToken, User] | None:
    """The active token with this secret and its active owner, or None."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > MAX_SECRET or not secret.isascii():
        return None
    digest = hash_secret(secret)
    row = db.session.execute(select(ApiToken, User).join(User, User.id == ApiToken.user_id)
                             .where(ApiToken.token_hash == digest)).first()
    if row is None:
        return None
    token, user = row
    # The index found it by hash; compare again in constant time all the same.
    if not hmac.compare_digest(token.token_hash, digest) or token.revoked_at is not None \
            or not user.active:
        return None
    _touch(token, now or utcnow())
    return token, user


def _touch(token: ApiToken, now: datetime) -> None:
    """Record the use, at most every ``TOUCH_EVERY``, in a transaction of its own."""
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return
    with write_transaction() as session:
        session.execute(update(ApiToken).where(ApiToken.id == token.id)
                        .values(last_used_at=now))
    db.session.refresh(token)
