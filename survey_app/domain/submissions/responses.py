"""Checking a filled questionnaire against its instrument and building the rows to store.

Every channel (QR form, kiosk, paper entry, CSV import, ODK/OpenRosa) parses its own input into a
``Submission`` and comes through here, so the rules are the same everywhere.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import insert
from sqlalchemy.orm import Session

from analysis.sample_size import required_answers
from questionnaires import NOT_APPLICABLE, Instrument

from ...i18n import current_language
from ...models import (
    Answer,
    Campaign,
    Channel,
    Counter,
    InstrumentVersion,
    Response,
    ResponseStatus,
    Unit,
)
from ...support.formatting import count_text
from .bursts import pattern_digest, straight_value

#: Profile answers stored in their own columns (comment is stored apart).
PROFILE_COLUMNS = ("respondent_type", "field", "gender", "age_band", "submission_mode")
COMMENT = "comment"


@dataclass(frozen=True)
class Submission:
    """Answers as codes: item → 1..5 or 0 (not applicable); blanks are simply absent."""

    answers: Mapping[str, int]
    profile: Mapping[str, str] = field(default_factory=dict)
    comment: str = ""
    #: SHA-256 of the exact document the answers were read from, when a replay must repeat
    #: it byte for byte (an OpenRosa instance: the same instanceID with other XML is a
    #: conflict even if the answers read the same); empty for the other channels.
    source_digest: str = ""

    def digest(self) -> str:
        """SHA-256 of the canonical content, to tell a replay from a different submission."""
        content: dict[str, object] = {"a": dict(sorted(self.answers.items())),
                                      "p": dict(sorted(self.profile.items())), "c": self.comment}
        if self.source_digest:
            content["s"] = self.source_digest
        canonical = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field, for the person who typed it (in the page's language)."""

    field: str
    message: str


def required_rated(instrument: Instrument, threshold: float) -> int:
    """Rating items a response must answer 1..5 to be valid (METHODOLOGY §3)."""
    return required_answers(len(instrument.rating_items), threshold)


def rated_count(instrument: Instrument, answers: Mapping[str, int]) -> int:
    """How many rating items carry a real rating (not-applicable does not count)."""
    return sum(1 for item in instrument.rating_items
               if answers.get(item.code, NOT_APPLICABLE) != NOT_APPLICABLE)


def check_submission(instrument: Instrument, blocks: list[str] | tuple[str, ...],
                     submission: Submission, unit: Unit | None = None) -> list[Problem]:
    """Every problem with a submission: unknown items, values off the scale, bad profile.

    The messages are in the page's language (Vietnamese outside a request), naming each
    question by its wording in that language where the instrument has one."""
    problems = []
    allowed = {item.code: item for item in instrument.items_for(tuple(blocks))}
    for code, value in submission.answers.items():
        item = allowed.get(code)
        if item is None:
            problems.append(Problem(code, _("Câu hỏi “%(code)s” không có trong phiếu này.",
                                            code=code)))
        elif not item.scale.accepts(value):
            values = {"code": code, "value": repr(value),
                      "choices": ", ".join(str(v) for v in item.scale.values)}
            problems.append(Problem(code, _(
                "Câu %(code)s: giá trị %(value)s không hợp lệ (chỉ nhận %(choices)s hoặc "
                "“Không áp dụng”).", **values) if item.scale.not_applicable else _(
                "Câu %(code)s: giá trị %(value)s không hợp lệ (chỉ nhận %(choices)s).",
                **values)))
    problems += _profile_problems(instrument, submission, unit)
    return problems


def _profile_problems(instrument: Instrument, submission: Submission,
                      unit: Unit | None) -> list[Problem]:
    problems = []
    language = current_language()
    known = {question.code: question for question in instrument.profile}
    for code, value in submission.profile.items():
        question = known.get(code)
        if question is None or question.kind != "choice":
            problems.append(Problem(code, _("Thông tin “%(code)s” không có trong phiếu này.",
                                            code=code)))
        elif value not in question.option_codes():
            problems.append(Problem(code, _("%(question)s: lựa chọn “%(value)s” không hợp lệ.",
                                            question=question.text_for(language).text,
                                            value=value)))
        elif code == "field" and unit is not None and unit.field_codes \
                and value not in unit.field_codes:
            problems.append(Problem(code, _("Lĩnh vực “%(field)s” không thuộc %(unit)s.",
                                            field=question.option(value).label_for(language).text,
                                            unit=unit.name)))
    for question in instrument.profile:
        if question.required and question.kind == "choice" \
                and not submission.profile.get(question.code):
            problems.append(Problem(question.code,
                                    _("Vui lòng chọn một ý cho câu “%(question)s”.",
                                      question=question.text_for(language).text)))
    comment_limit = _comment_limit(instrument)
    if len(submission.comment) > comment_limit:
        problems.append(Problem(COMMENT, _("Ý kiến dài %(length)s ký tự; tối đa %(limit)s ký tự.",
                                           length=count_text(len(submission.comment), language),
                                           limit=count_text(comment_limit, language))))
    return problems


def _comment_limit(instrument: Instrument) -> int:
    for question in instrument.profile:
        if question.code == COMMENT and question.max_length:
            return question.max_length
    return 2000


def response_values(*, campaign: Campaign, unit: Unit, version: InstrumentVersion,
                    instrument: Instrument, submission: Submission, key: str, channel: Channel,
                    submitted_at: datetime, counter: Counter | None = None,
                    sheet_id: int | None = None, client_hash: str | None = None,
                    entered_by_id: int | None = None, flag_reason: str | None = None
                    ) -> dict[str, Any]:
    """The columns of a new response row, its status by the validity rule and its digests
    (its answers apart: ``answer_values``)."""
    n_rated = rated_count(instrument, submission.answers)
    if flag_reason:
        status = ResponseStatus.FLAGGED
    elif n_rated >= required_rated(instrument, campaign.valid_threshold):
        status = ResponseStatus.VALID
    else:
        status = ResponseStatus.INVALID
    return dict(
        submission_key=key, payload_digest=submission.digest(), campaign_id=campaign.id,
        unit_id=unit.id, counter_id=counter.id if counter else None, sheet_id=sheet_id,
        instrument_version_id=version.id, channel=channel, submitted_at=submitted_at,
        n_rated=n_rated, status=status, flag_reason=flag_reason, client_hash=client_hash,
        entered_by_id=entered_by_id, comment=submission.comment or None,
        pattern_digest=pattern_digest(submission.answers),
        straight_value=straight_value(instrument, submission.answers),
        **{column: submission.profile.get(column) or None for column in PROFILE_COLUMNS},
    )


def answer_values(submission: Submission) -> list[tuple[str, int]]:
    """The answer rows of a submission: (item code, value), in item-code order."""
    return sorted(submission.answers.items())


#: Built once: a statement object keeps its compiled form's cache key, so executing it again
#: costs no construction (the per-post profile, docs/benchmarks.md).
_ANSWERS = Answer.__table__
# RETURNING makes SQLAlchemy send the rows as multi-row INSERTs on PostgreSQL too
# ("insertmanyvalues"): psycopg's executemany would send one INSERT per answer, and the
# results-cache trigger (per statement, migration 0008) would run once per answer.
_INSERT_ANSWERS = insert(_ANSWERS).returning(_ANSWERS.c.response_id)


def insert_answers(session: Session, rows: Iterable[tuple[int, str, int]]) -> None:
    """Store answers (response id, item code, value) in as few multi-row INSERTs as the
    driver allows: one for a submission's 22, one per 1,000 for an import."""
    answers = [{"response_id": response_id, "item_code": code, "value": value}
               for response_id, code, value in rows]
    if answers:
        session.execute(_INSERT_ANSWERS, answers)


def build_response(**fields: Any) -> Response:
    """A new response with its answers (not yet added to the session); the arguments of
    ``response_values``."""
    response = Response(**response_values(**fields))
    response.answers = [Answer(item_code=code, value=value)
                        for code, value in answer_values(fields["submission"])]
    return response
