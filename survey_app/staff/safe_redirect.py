"""Where a ``next`` parameter may send a person after login: only paths on this site."""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_NEXT = 2000


def safe_next(target: str | None) -> str | None:
    """``target`` when it is an on-site path such as ``/staff/entry?x=1``, else None.

    Browsers treat a backslash like a slash and drop tabs and newlines inside URLs, so
    ``/\\evil.example`` or ``/\\t/evil.example`` would leave the site; both are refused,
    as are ``//host``, schemes and anything that is not a plain absolute path.
    """
    if not target or len(target) > MAX_NEXT:
        return None
    if "\\" in target or any(ord(ch) < 33 or ord(ch) == 127 for ch in target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
