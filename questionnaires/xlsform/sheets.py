"""The sheets and columns of an XLSForm workbook as this package writes and reads them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..yamlfile import DefinitionError

SURVEY, CHOICES, SETTINGS = "survey", "choices", "settings"
VIETNAMESE_COLUMN = "Tiếng Việt (vi)"
ENGLISH_COLUMN = "English (en)"
#: Choice name of "Không áp dụng / không ý kiến" (METHODOLOGY §2.3: ratings 1–5 and NA).
NOT_APPLICABLE_NAME = "NA"
#: Choices column marking the values counted "satisfied" (4 and 5) of a rating list.
SATISFIED = "satisfied"
#: The rating scale the analysis understands (METHODOLOGY §2, §3).
RATING_VALUES = (1, 2, 3, 4, 5)
RATING_SATISFIED = frozenset({4, 5})
#: Settings columns pyxform ignores and this package uses: English title, the source.
TITLE_EN, SOURCE = "form_title_en", "source"
DEFAULT_MAX_LENGTH = 2000
INTRO_NAME = "intro"
TRUE_WORDS = {"yes", "true", "true()", "1", "có"}
FALSE_WORDS = {"", "no", "false", "false()", "0", "không"}

_LANGUAGE_CODE = re.compile(r"\(([a-z]{2,3})\)\s*$")
_LANGUAGE_NAMES = {"vietnamese": "vi", "tiếng việt": "vi", "english": "en"}


class XLSFormError(DefinitionError):
    """A workbook that is not an instrument: says which sheet and row, and what is wrong."""

    def __init__(self, sheet: str | None, row: int | None, message: str):
        origin = f"Trang '{sheet}'" if sheet else "Tệp XLSForm"
        ValueError.__init__(self, f"{origin}, dòng {row}: {message}" if row
                            else f"{origin}: {message}")
        self.origin, self.place, self.message, self.line = origin, "", message, row or None
        self.sheet = sheet


class NotExportable(ValueError):
    """An instrument this mapping cannot write without losing part of it."""


def column(name: str, language: str | None = None) -> str:
    """A header: ``label`` or ``label::Tiếng Việt (vi)`` / ``label::English (en)``."""
    if language is None:
        return name
    return f"{name}::{VIETNAMESE_COLUMN if language == 'vi' else ENGLISH_COLUMN}"


def header_key(header: Any) -> tuple[str, str | None] | None:
    """(column, language) of a header cell: ("label", "vi") for ``label::Tiếng Việt (vi)``.

    A column without a language is Vietnamese (the form's default language) for the texts;
    another language than Vietnamese or English gives ``None`` (the column is ignored).
    """
    if header is None or not str(header).strip():
        return None
    name, _, language = str(header).strip().partition("::")
    name = name.strip().lower().replace(" ", "_")
    if not language:
        return name, None
    language = language.strip().lower()
    found = _LANGUAGE_CODE.search(language)
    code = found.group(1) if found else _LANGUAGE_NAMES.get(language)
    return (name, code) if code in ("vi", "en") else None


def cell_text(value: Any) -> str:
    """A cell as text: numbers as Excel shows them (1, not 1.0), None as ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass
class Row:
    """One filled row of a sheet: its number in Excel and its cells by (column, language)."""

    sheet: str
    number: int
    cells: dict[tuple[str, str | None], str] = field(default_factory=dict)

    def get(self, name: str, language: str | None = None) -> str:
        if language is None:
            return self.cells.get((name, None), "")
        if language == "vi":
            return self.cells.get((name, "vi")) or self.cells.get((name, None), "")
        return self.cells.get((name, language), "")

    def english(self, name: str) -> str | None:
        return self.get(name, "en") or None

    def error(self, message: str) -> XLSFormError:
        return XLSFormError(self.sheet, self.number, message)

    def flag(self, name: str) -> bool:
        """A yes/no column (``required``)."""
        value = self.get(name).lower()
        if value in TRUE_WORDS:
            return True
        if value in FALSE_WORDS:
            return False
        raise self.error(f"cột '{name}' phải là yes hoặc để trống, không phải '{value}'")
