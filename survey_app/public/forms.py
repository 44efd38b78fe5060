"""Reading the citizen form's fields into a ``Submission``.

The questionnaire is data, so the form is built from the instrument rather than declared as
a WTForms class; Flask-WTF still provides its CSRF token. Field names are the item and
profile codes (short names keep the page light), plus ``k`` (the signed submission key),
``csrf_token`` and ``comment``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from ..domain.submissions.public_survey import Survey
from ..domain.submissions.responses import COMMENT, Problem, Submission
from ..support.text import clean_text

KEY_FIELD = "k"
CSRF_FIELD = "csrf_token"
#: Radio values: the stored values, "0" being "Không áp dụng".
ANSWER_VALUES = {str(value): value for value in range(6)}
#: Longest profile value worth echoing back or checking (codes are short).
MAX_CHOICE_LENGTH = 40
UNKNOWN = "unknown"


@dataclass
class FilledForm:
    """What was sent: raw values by field (to show them again) and the parsed submission."""

    values: dict[str, str]
    submission: Submission
    problems: list[Problem] = field(default_factory=list)


def _shown(text: str, limit: int = 30) -> str:
    text = clean_text(text)
    return text if len(text) <= limit else text[:limit] + "…"


def read_form(form: MultiDict, file_fields: list[str], survey: Survey) -> FilledForm:
    """Parse the posted fields against the instrument version the form was served with."""
    items = {item.code for item in survey.instrument.items_for(survey.block_codes)}
    choices = {q.code for q in survey.instrument.profile if q.kind == "choice"}
    known = items | choices | {COMMENT, KEY_FIELD, CSRF_FIELD}
    values: dict[str, str] = {}
    answers: dict[str, int] = {}
    profile: dict[str, str] = {}
    problems: list[Problem] = []
    unknown = sorted({name for name in form if name not in known} | set(file_fields))
    if unknown:
        listed = ", ".join(f"“{_shown(name)}”" for name in unknown[:5])
        more = len(unknown) - 5
        problems.append(Problem(UNKNOWN, _("Phiếu gửi lên có trường không thuộc bảng hỏi: "
                                           "%(names)s.", names=listed)
                                + (" " + _("(và %(n)d trường khác)", n=more) if more > 0
                                   else "")))
    for name in sorted((items | choices | {COMMENT}) & set(form)):
        sent = form.getlist(name)
        if len(sent) > 1:
            problems.append(Problem(name, _("Mỗi câu chỉ được chọn một câu trả lời.")))
            continue
        value = sent[0]
        if name in items:
            values[name] = value[:MAX_CHOICE_LENGTH]
            if value in ANSWER_VALUES:
                answers[name] = ANSWER_VALUES[value]
            elif value:
                problems.append(Problem(name, _("Câu trả lời “%(value)s” không hợp lệ.",
                                                value=_shown(value))))
        elif name in choices:
            values[name] = clean_text(value)[:MAX_CHOICE_LENGTH]
            if values[name]:
                profile[name] = values[name]
        else:
            values[name] = clean_text(value)
    submission = Submission(answers=answers, profile=profile, comment=values.get(COMMENT, ""))
    return FilledForm(values=values, submission=submission, problems=problems)
