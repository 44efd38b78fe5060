"""Accepting a citizen's submission from the online form: once, whole, and checked.

The submission key (see ``form_keys``) is UNIQUE in the database. The same key with the same
answers (a double tap, a retry after a lost reply, two requests racing) returns the response
already stored; the same key with other answers is a conflict. A response and its answers are
written in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from questionnaires import NOT_APPLICABLE

from ...database import write_transaction
from ...errors import DomainError
from ...extensions import db
from ...models import Response, ResponseStatus, User, utcnow
from ...support.dates import local_date
from ..audit import audit
from .antistuffing import client_hash
from .bursts import flag_bursts, lock_sources
from .public_survey import Survey
from .responses import (
    Problem,
    Submission,
    answer_values,
    check_submission,
    insert_answers,
    required_rated,
    response_values,
)

#: ``Problem.field`` of the "too few ratings" problem.
RATINGS = "ratings"


class SubmissionConflict(DomainError):
    """This key (or sheet) was already used for a response with other answers."""

    def __init__(self) -> None:
        super().__init__(_("Phiếu này đã được gửi trước đó với câu trả lời khác. Câu trả lời "
                           "gửi lần đầu được giữ nguyên; lần gửi này không được ghi nhận."))


class SurveyClosed(DomainError):
    """The campaign no longer (or not yet) takes responses for this unit."""

    def __init__(self) -> None:
        super().__init__(_("Đợt khảo sát không nhận phiếu vào lúc này."))


class SubmissionRefused(DomainError):
    """The answers break a rule of the questionnaire; ``problems`` says which, per field."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(problem.message for problem in problems))


@dataclass(frozen=True)
class Accepted:
    """The stored response a submission ended in; ``created`` is False for a replay."""

    response_id: int
    created: bool
    flagged: bool


def problems_with(survey: Survey, submission: Submission, *, ratings: bool = True
                  ) -> list[Problem]:
    """Everything wrong with a submission for this form, the valid-response threshold included
    unless ``ratings`` is False (the response is then stored, invalid if it rates too few)."""
    instrument = survey.instrument
    problems = check_submission(instrument, survey.block_codes, submission, survey.unit)
    if not ratings:
        return problems
    required = required_rated(instrument, survey.campaign.valid_threshold)
    numbers = {item.code: number for number, item in enumerate(instrument.rating_items, 1)}
    rated = [code for code in numbers
             if submission.answers.get(code, NOT_APPLICABLE) != NOT_APPLICABLE]
    if len(rated) < required:
        unanswered = [str(number) for code, number in numbers.items()
                      if code not in submission.answers]
        message = _("Cần đánh giá ít nhất %(required)d trong %(total)d câu (“Không áp dụng” "
                    "không được tính); Ông/Bà mới đánh giá %(rated)d câu.",
                    required=required, total=len(numbers), rated=len(rated))
        if unanswered:
            message += " " + _("Các câu chưa trả lời: %(numbers)s.",
                               numbers=", ".join(unanswered))
        problems.append(Problem(RATINGS, message))
    return problems


def previous(key: str, submission: Submission, sheet_id: int | None = None
             ) -> Accepted | None:
    """The response this key (or sheet) already produced, or None; other answers: conflict."""
    return _previous(db.session, key, submission, sheet_id)


def _previous(session: Session, key: str, submission: Submission,
              sheet_id: int | None) -> Accepted | None:
    if sheet_id is None:
        row = session.execute(_BY_KEY, {"key": key}).first()
    else:
        row = session.execute(select(Response.id, Response.payload_digest, Response.status)
                              .where(or_(Response.submission_key == key,
                                         Response.sheet_id == sheet_id)).limit(1)).first()
    if row is None:
        return None
    if row.payload_digest != submission.digest():
        raise SubmissionConflict()
    return Accepted(response_id=row.id, created=False,
                    flagged=row.status is ResponseStatus.FLAGGED)


def accept(survey: Survey, key: str, submission: Submission, *, client_address: str | None,
           now: datetime | None = None, entered_by: User | None = None,
           keep_incomplete: bool = False, unseen: bool = False) -> Accepted:
    """Store a submission once; a replay returns the first, bursts are stored flagged.

    ``entered_by`` is the staff member who sent it (an ODK collector, an API token's owner):
    the response names them and the audit log records the new response as theirs.
    ``keep_incomplete`` stores a
    response rating too few items as invalid instead of refusing it: an interview done on a
    tablet cannot be asked again, any more than a paper sheet. ``unseen``: the caller has just
    looked the key up with ``previous`` and found nothing (it is checked again under the lock).

    Under the write lock the work is four statements: the key looked up again, the response,
    its answers in one multi-row insert, and the burst counts in one query (plus PostgreSQL's
    advisory locks, and the flags when a burst rule fires). The response is built before the
    lock, from plain values, so nothing of the survey (expired when the read transaction ends)
    is loaded again while other writers wait.
    """
    now = now or utcnow()
    sheet_id = survey.sheet.id if survey.sheet else None
    if not unseen:
        done = previous(key, submission, sheet_id)
        if done is not None:
            return done
    if not survey.accepts_on(local_date(now)):
        raise SurveyClosed()
    problems = problems_with(survey, submission, ratings=not keep_incomplete)
    if problems:
        raise SubmissionRefused(problems)
    client = client_hash(client_address, now)
    counter_id = survey.counter.id if survey.counter else None
    values = response_values(
        campaign=survey.campaign, unit=survey.unit, version=survey.version,
        instrument=survey.instrument, submission=submission, key=key,
        channel=survey.channel, submitted_at=now, counter=survey.counter,
        sheet_id=sheet_id, client_hash=client,
        entered_by_id=entered_by.id if entered_by is not None else None)
    values["received_at"] = now
    try:
        with write_transaction() as session:
            lock_sources(session, counter_id, client)
            # Checked again under the write lock: another request may have just stored it.
            done = _previous(session, key, submission, sheet_id)
            if done is not None:
                return done
            response_id = _insert(session, values, answer_values(submission))
            if entered_by is not None:
                audit.record("response.collect", user=entered_by, object_type="response",
                             object_id=response_id,
                             after={"channel": survey.channel.value, "key": key})
            # Flags this response and, for a burst of one source or pattern, its earlier ones.
            flag = flag_bursts(session, values, response_id, now)
            if flag is not None:
                session.execute(update(Response).where(Response.id == response_id).values(
                    status=ResponseStatus.FLAGGED, flag_reason=flag.reason,
                    burst_key=flag.burst_key))
            accepted = Accepted(response_id=response_id, created=True, flagged=flag is not None)
    except IntegrityError:
        # PostgreSQL: a concurrent request with the same key committed first; its row decides.
        done = previous(key, submission, sheet_id)
        if done is None:
            raise
        return done
    return accepted


#: Built once (a statement object keeps its cache key): the hot path of every post.
_RESPONSES = Response.__table__
_INSERT_RESPONSE = insert(_RESPONSES).returning(_RESPONSES.c.id)
_BY_KEY = select(Response.id, Response.payload_digest, Response.status).where(
    Response.submission_key == bindparam("key")).limit(1)


def _insert(session: Session, values: dict[str, Any], answers: list[tuple[str, int]]) -> int:
    """Insert a response and its answers: two statements, without the unit of work's
    bookkeeping for 23 objects; returns the new id."""
    response_id = session.execute(_INSERT_RESPONSE, values).scalar_one()
    insert_answers(session, ((response_id, code, value) for code, value in answers))
    return response_id
