"""Shared bad inputs, a database digest and the fixtures of the bad-input suite.

The payload lists are module constants so ``test_inventory`` can count the distinct inputs the
suite sends. Fixtures of the other suites are reused, not rewritten: the citizen form's
``place``/``serve``, the admin's ``admin``, the results' ``add_responses``, paper entry's ``desk``.
"""

from __future__ import annotations

import unicodedata

import pytest
import sqlalchemy as sa
from markupsafe import escape

from survey_app.extensions import db
from survey_app.support.text import clean_text

#: Script and HTML payloads: shown as text wherever staff read them.
MARKUP = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "<svg onload=alert(1)>",
    "</textarea><b>đậm</b>",
    "<img src=\"http://evil.example/x.png\">",
    "{{ 7*7 }} {% raw %}",
]
#: Formula-injection strings: inert in CSV and XLSX downloads.
FORMULAS = [
    "=1+1",
    "+SUM(A1)",
    "-2+3",
    "@cmd",
    '=HYPERLINK("http://x")',
    "  =1+1",
    "\t=1+1",
    " @SUM(1)",
]
#: SQL metacharacters: stored literally and found literally.
SQL = ["'; DROP TABLE response;--", "%", "_", "100% đúng_hạn", "\\' OR 1=1 --"]
NFC_TEXT = "Cán bộ nhiệt tình, thủ tục nhanh"
#: Unicode oddities handled by ``clean_text`` (NFC; bidi overrides and zero-width removed).
UNICODE = [
    NFC_TEXT,
    unicodedata.normalize("NFD", NFC_TEXT),
    "Tốt\u202eđảo ngược",
    "Ph\u200bòng\ufeff chờ",
    "dòng một\r\ndòng hai",
    "a\x00b\x07c",
]
#: Answers that are not a value of the scale.
BAD_VALUES = ["6", "-1", "99999999999999999999", "abc", "1.5", "١", "５", "²", "4 5", "0x1",
              "NaN", "\x00"]
#: Free texts a person may type (every one must be stored cleaned or refused, never a 500).
TEXTS = MARKUP + FORMULAS + SQL + UNICODE


def cleaned(text: str) -> str:
    """What the application stores for ``text``."""
    return clean_text(text)


def table_counts() -> dict[str, int]:
    """Rows in every application table, read fresh (what the requests committed)."""
    db.session.rollback()
    tables = db.metadata.sorted_tables
    row = db.session.execute(sa.select(*(
        sa.select(sa.func.count()).select_from(table).scalar_subquery().label(table.name)
        for table in tables))).one()
    return dict(zip([table.name for table in tables], row, strict=True))


#: Written alongside stored responses: the audit trail, and the per-unit revision counters
#: the database's triggers keep for the results cache (migration 0008).
IGNORED = ("audit_event", "result_revision")


def changed_tables(before: dict[str, int], ignore: tuple[str, ...] = ()) -> dict[str, int]:
    """Tables whose row count differs from ``before`` (beyond the ``ignore``d ones)."""
    after = table_counts()
    return {name: after[name] - before[name] for name in after
            if after[name] != before[name] and name not in ignore}


def assert_shown_as_text(html: str, text: str) -> None:
    """``text`` appears HTML-escaped, and its markup never appears raw."""
    assert str(escape(text)) in html, text
    if "<" in text or '"' in text:
        assert text not in html
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "<svg onload" not in html and 'href="javascript:' not in html


@pytest.fixture
def counts():
    """The digest of row counts, taken when asked."""
    return table_counts
