"""Cleaning free text typed by citizens and staff before it is stored."""

from __future__ import annotations

import re
import unicodedata

# C0/C1 controls except tab and newline; bidi embeddings/overrides/isolates that could
# make a comment display reversed in a staff view; zero-width space and BOM.
_UNWANTED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2066-\u2069\ufeff]")


def clean_text(value: str | None) -> str:
    """NFC-normalised text without control or direction-override characters, trimmed."""
    if not value:
        return ""
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    return _UNWANTED.sub("", value).strip()


def fold(value: str) -> str:
    """Case-folded NFC text for comparing labels typed by people."""
    return unicodedata.normalize("NFC", " ".join(value.split())).casefold()
