"""Neutralising text against formula injection in CSV and XLSX cells (DESIGN "Security").

A spreadsheet treats a cell that starts with ``= + - @`` (also after leading blanks), a tab,
a carriage return or a line feed as a formula or a command; such text gets a leading
apostrophe, which Excel and LibreOffice show as plain text. Numbers are never changed.
"""

from __future__ import annotations

from typing import Any

#: Characters that make a spreadsheet read a cell as a formula or a command.
TRIGGERS = frozenset("=+-@\t\r\n")
_FORMULA_STARTS = frozenset("=+-@")


def is_dangerous(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula."""
    if not text:
        return False
    if text[0] in TRIGGERS:
        return True
    stripped = text.lstrip()
    return bool(stripped) and stripped[0] in _FORMULA_STARTS


def neutralise(value: Any) -> Any:
    """``value`` safe to put in a cell: dangerous text prefixed with ``'``, the rest unchanged."""
    if isinstance(value, str) and is_dangerous(value):
        return "'" + value
    return value
