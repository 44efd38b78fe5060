"""Helpers of the citizen-form tests: answers to post and reading the database back."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey_app.domain.submissions import form_keys
from survey_app.extensions import db
from survey_app.models import Response

RATING_CODES = [*(f"tc{i}" for i in range(1, 5)), *(f"tt{i}" for i in range(1, 6)),
                *(f"cc{i}" for i in range(1, 7)), *(f"kq{i}" for i in range(1, 4)),
                *(f"pa{i}" for i in range(1, 5))]
#: The 22-item instrument's page must stay within this many gzip-compressed bytes.
PAGE_BUDGET = 14_600


def full_answers(value: str = "4", **changes: str) -> dict[str, str]:
    """Every rating item answered ``value``, plus the required profile answer."""
    answers = dict.fromkeys(RATING_CODES, value)
    answers["respondent_type"] = "ca_nhan"
    answers.update(changes)
    return answers


def varied_answers(number: int) -> dict[str, str]:
    """The ``number``-th of 25 complete answer sets, no two alike and none straight-lined."""
    return full_answers("4", tc1=str(1 + number % 5), tc2=str(1 + number // 5 % 5), tc3="2")


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden inputs of a served form (its signed key and CSRF token)."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))


def key_of(fields: dict[str, str]) -> str | None:
    """The submission key inside a form's signed ``k`` field (re-signing changes the token)."""
    loaded = form_keys.load(fields.get("k"))
    return loaded.value if loaded else None


def checked(html: str) -> dict[str, str]:
    """The radio answers a page shows as chosen."""
    return dict(re.findall(r'name="([^"]+)" value="([^"]*)" checked', html))


@dataclass
class ServedForm:
    """A form page as a browser received it: its hidden fields and where it posts."""

    client: FlaskClient
    url: str
    html: str
    hidden: dict[str, str] = field(default_factory=dict)

    def post(self, answers: dict[str, str] | None = None, **kwargs):
        """Post the form back with ``answers`` (default: a complete, valid response)."""
        data = {**self.hidden, **(full_answers() if answers is None else answers)}
        return self.client.post(self.url, data=data, **kwargs)


def response_count() -> int:
    db.session.rollback()  # read what other sessions committed
    return db.session.scalar(select(func.count()).select_from(Response))


def stored_responses() -> list[Response]:
    db.session.rollback()
    return list(db.session.scalars(select(Response).order_by(Response.id)))


#: A Vietnamese letter with a diacritic (or đ): English text has none of them.
VIETNAMESE_LETTER = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụ"
                               "ưừứửữựỳýỷỹỵ]", re.IGNORECASE)
#: Elements with no end tag: they never enclose text.
VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                       "meta", "source", "track", "wbr"})


class _VisibleText(HTMLParser):
    """The text a person sees (and the title and labels read aloud), each piece with the
    language of the element around it and whether it sits in a language-switch link."""

    def __init__(self, page_language: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str, bool]] = [("", page_language, False)]
        self.pieces: list[tuple[str, str, bool]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        _tag, language, switch = self.stack[-1]
        language = attributes.get("lang") or language
        switch = switch or (tag == "a" and "hreflang" in attributes)
        for name in ("aria-label", "alt", "title", "placeholder"):
            if attributes.get(name):
                self.pieces.append((attributes[name], language, switch))
        if tag not in VOID_TAGS:
            self.stack.append((tag, language, switch))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                break

    def handle_data(self, data):
        tag, language, switch = self.stack[-1]
        if tag not in ("style", "script", "noscript") and data.strip():
            self.pieces.append((" ".join(data.split()), language, switch))


def visible_text(html: str) -> list[tuple[str, str, bool]]:
    """(text, its language, inside a language link) for each piece of text a page shows."""
    found = re.search(r'<html lang="([^"]+)"', html)
    parser = _VisibleText(found.group(1) if found else "vi")
    parser.feed(html)
    return parser.pieces


def marked_vietnamese(html: str) -> list[str]:
    """The texts a page marks as Vietnamese (``lang="vi"``) outside its language link."""
    return [text for text, language, switch in visible_text(html)
            if language == "vi" and not switch]


def vietnamese_left(html: str, names: tuple[str, ...] = ()) -> list[str]:
    """The visible text of a page in English still written in Vietnamese: every piece with a
    Vietnamese letter, except the language link, texts deliberately marked ``lang="vi"``
    (an instrument's Vietnamese wording shown for want of an English one) and ``names``
    (units, counters, campaigns: proper names, the same in every language)."""
    left = []
    for text, language, switch in visible_text(html):
        for name in sorted(names, key=len, reverse=True):
            text = text.replace(name, "")
        if VIETNAMESE_LETTER.search(text) and language != "vi" and not switch:
            left.append(text)
    return left
