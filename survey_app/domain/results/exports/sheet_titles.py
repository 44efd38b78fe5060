"""Worksheet titles Excel accepts, made from unit names (the workbook's level sheets).

Excel refuses a title longer than 31 characters (counted in UTF-16 units), one holding any
of ``[ ] : * ? / \\``, one starting or ending with an apostrophe, and two titles that differ
only in case. A name is therefore normalised (NFC, blanks collapsed), its forbidden
characters replaced by "-", cut to 31 characters ending with "…" when too long, and, when
the title is already taken, numbered " (2)", " (3)"… within the same 31 characters.
"""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 31
FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
ELLIPSIS = "…"
#: The title of a name that leaves nothing once cleaned.
FALLBACK = "Cấp"


def _length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` UTF-16 units, with "…" when something was cut."""
    if _length(text) <= limit:
        return text
    while text and _length(text) + 1 > limit:
        text = text[:-1]
    return text.rstrip(" '") + ELLIPSIS


def clean(name: str) -> str:
    """``name`` as a title Excel accepts, before de-duplication."""
    text = " ".join(unicodedata.normalize("NFC", str(name)).split())
    text = FORBIDDEN.sub("-", text).strip(" '")
    return _cut(text, MAX_LENGTH) or FALLBACK


def unique_title(name: str, taken: set[str]) -> str:
    """A valid title for ``name`` that no title in ``taken`` has, ignoring case; it is added
    to ``taken`` (which holds case-folded titles)."""
    title = clean(name)
    number = 1
    while title.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        title = _cut(clean(name), MAX_LENGTH - _length(suffix)) + suffix
    taken.add(title.casefold())
    return title
