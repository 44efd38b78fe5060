"""Submission keys: made by the server for every served form and signed with the app's secret.

The signature binds the key to the counter (or paper sheet), the campaign, the instrument
version and the channel the form was served for, and to the time it was issued, so a client
can neither mint keys nor carry one to another counter.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from ...models import Channel

SALT = "survey-form-key"
#: A signed key is about 150 characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 400


@dataclass(frozen=True)
class FormKey:
    """What a served form was made for; ``value`` becomes ``Response.submission_key``."""

    value: str
    campaign_id: int
    version_id: int
    channel: Channel
    counter_id: int | None = None
    sheet_id: int | None = None
    issued_at: datetime | None = None


def new_key_value() -> str:
    """A fresh 128-bit submission key."""
    return secrets.token_hex(16)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def sign(key: FormKey) -> str:
    """The key as the hidden field of the form (the issue time is added by the signer)."""
    return _serializer().dumps([key.value, key.campaign_id, key.version_id, key.channel.value,
                                key.counter_id, key.sheet_id])


def load(token: str | None) -> FormKey | None:
    """The key a form carried, or None when it is missing, altered or not one of ours."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        payload, issued_at = _serializer().loads(token, return_timestamp=True)
        value, campaign_id, version_id, channel, counter_id, sheet_id = payload
        return FormKey(value=str(value), campaign_id=int(campaign_id),
                       version_id=int(version_id), channel=Channel(channel),
                       counter_id=None if counter_id is None else int(counter_id),
                       sheet_id=None if sheet_id is None else int(sheet_id),
                       issued_at=issued_at)
    except (BadData, TypeError, ValueError):
        return None
