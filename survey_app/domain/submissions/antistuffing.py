"""Keeping one person from counting many times, without storing who they are.

- ``client_hash``: a keyed hash of the client address; the key is derived from the app's
  secret and the local date, so hashes cannot be reversed by trying every address and
  cannot be linked from one day to the next.
- bursts (many responses from one client hash or with one answer pattern within minutes)
  are flagged by ``bursts.flag_bursts``, kept out of the indices until staff clear them.
- ``DeviceMemory``: a signed cookie remembering when this device last answered at each
  counter; it stops accidental and casual repeats, not a determined person (who can clear
  cookies), which is what the burst flags are for.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer

from ...support.dates import local_date

DEVICE_COOKIE = "khaosat_thietbi"
#: Counters remembered per device; the oldest are forgotten first.
DEVICE_MAX_ENTRIES = 20


def client_hash(address: str | None, moment: datetime) -> str | None:
    """HMAC-SHA-256 of the address under a key that changes with the local date."""
    if not address:
        return None
    secret = current_app.config["SECRET_KEY"].encode()
    day = local_date(moment).isoformat()
    day_key = hmac.new(secret, f"client-hash:{day}".encode(), hashlib.sha256).digest()
    return hmac.new(day_key, address.encode(), hashlib.sha256).hexdigest()


class DeviceMemory:
    """When this device last sent a response at each counter (counter id → UTC epoch)."""

    def __init__(self, entries: dict[str, int] | None = None):
        self.entries = dict(entries or {})

    @staticmethod
    def _serializer() -> URLSafeSerializer:
        return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="device-memory")

    @classmethod
    def load(cls, raw: str | None) -> DeviceMemory:
        """The memory in a cookie value; an altered or foreign cookie is simply forgotten."""
        if not raw or len(raw) > 2000:
            return cls()
        try:
            data = cls._serializer().loads(raw)
        except BadData:
            return cls()
        if not isinstance(data, dict):
            return cls()
        return cls({str(k): v for k, v in data.items() if isinstance(v, int)})

    def last_at(self, counter_id: int) -> datetime | None:
        """When this device last answered at the counter, if it is remembered."""
        stamp = self.entries.get(str(counter_id))
        return None if stamp is None else datetime.fromtimestamp(stamp, UTC)

    def answered_within(self, counter_id: int, window: timedelta, now: datetime
                        ) -> datetime | None:
        """The time of this device's last response at the counter, if within ``window``."""
        last = self.last_at(counter_id)
        return last if last is not None and now - last < window else None

    def remember(self, counter_id: int, now: datetime) -> None:
        self.entries[str(counter_id)] = int(now.timestamp())
        newest = sorted(self.entries.items(), key=lambda entry: entry[1])[-DEVICE_MAX_ENTRIES:]
        self.entries = dict(newest)

    def dump(self) -> str:
        """The signed cookie value."""
        return self._serializer().dumps(self.entries)
