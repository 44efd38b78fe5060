"""Helpers of the citizen-form tests: answers to post and reading the database back."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
