"""Public addresses printed on posters and sheets, built from ``PUBLIC_BASE_URL``."""

from __future__ import annotations

from flask import current_app

from ...models import Counter, Sheet


def public_url(path: str) -> str:
    """An absolute public address for ``path`` (which starts with '/')."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def counter_url(counter: Counter) -> str:
    """The address in a counter's QR code."""
    return public_url(f"/s/{counter.token}")


def sheet_url(sheet: Sheet) -> str:
    """The address in a paper sheet's QR code (answer that sheet online instead)."""
    return public_url(f"/p/{sheet.token}")
