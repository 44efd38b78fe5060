"""Typing paper sheets back in: find the sheet by serial, read the digits, store once, correct.

A serial is a submission key: the sheet's response, online or typed from paper, is unique
(``Response.sheet_id`` and ``Response.submission_key`` are both UNIQUE), so a sheet is
counted once, never twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from questionnaires import Instrument

from ...auth import can_see_unit
from ...database import write_transaction
from ...errors import DomainError
from ...extensions import db
from ...models import (
    Answer,
    Campaign,
    CampaignState,
    Channel,
    Response,
    ResponseStatus,
    Sheet,
    Unit,
    User,
    utcnow,
)
from ...support.text import clean_text
from ..audit import audit
from ..campaigns.campaign_scope import campaigns_for
from ..campaigns.instruments import campaign_blocks, instrument_of
from ..submissions.bursts import pattern_digest, straight_value
from ..submissions.public_survey import sheet_answered
from ..submissions.responses import (
    COMMENT,
    PROFILE_COLUMNS,
    Problem,
    Submission,
    build_response,
    check_submission,
    rated_count,
    required_rated,
)
from .serials import SERIAL_LENGTH, display_serial, is_valid_serial, normalise_serial

SERIAL = "serial"
DIGITS = {str(value): value for value in range(6)}


class EntryRefused(DomainError):
    """A typed sheet that cannot be stored; ``problems`` names each field's problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(problem.message for problem in problems))


def refusal(message: str, field: str = SERIAL) -> EntryRefused:
    """A refusal naming one field's problem."""
    return EntryRefused([Problem(field, message)])


APPROVED = "Kết quả đợt khảo sát này đã được phê duyệt; không sửa phiếu được nữa."


def ensure_not_approved(campaign_id: int) -> None:
    """Refuse changing a response of an approved campaign. Called inside the write
    transaction, with the campaign row locked (PostgreSQL), so approval cannot slip between
    the check and the change."""
    frozen = db.session.scalar(select(Campaign.frozen).where(Campaign.id == campaign_id)
                               .with_for_update())
    if frozen:
        raise refusal(APPROVED, field="campaign")


@dataclass(frozen=True)
class TypedSheet:
    """What was typed: raw values by field (to show again) and the parsed submission."""

    values: dict[str, str]
    submission: Submission
    problems: list[Problem]


def read_typed(form: Mapping[str, str], campaign: Campaign) -> TypedSheet:
    """Parse the entry form: one digit per item (0 = not applicable), profile codes, comment."""
    instrument = instrument_of(campaign.instrument_version)
    numbers = {item.code: n for n, item in
               enumerate(instrument.items_for(campaign_blocks(campaign)), 1)}
    values: dict[str, str] = {SERIAL: clean_text(form.get(SERIAL, ""))[:20]}
    answers: dict[str, int] = {}
    problems: list[Problem] = []
    for code, number in numbers.items():
        typed = (form.get(code) or "").strip()[:5]
        values[code] = typed
        if typed in DIGITS:
            answers[code] = DIGITS[typed]
        elif typed:
            problems.append(Problem(code, f"Câu {number}: chỉ nhập một chữ số từ 1 đến 5, "
                                          "hoặc 0 nếu “Không áp dụng” (để trống nếu bỏ qua)."))
    profile: dict[str, str] = {}
    for question in instrument.profile:
        if question.kind == "choice":
            chosen = clean_text(form.get(question.code, ""))[:40]
            values[question.code] = chosen
            if chosen:
                profile[question.code] = chosen
    values[COMMENT] = clean_text(form.get(COMMENT, ""))
    submission = Submission(answers=answers, profile=profile, comment=values[COMMENT])
    return TypedSheet(values=values, submission=submission, problems=problems)


def find_sheet(typed_serial: str, user: User, campaign: Campaign | None = None) -> Sheet:
    """The sheet a typed serial names, if this user may enter it for this campaign."""
    serial = normalise_serial(typed_serial)
    if not serial:
        raise refusal("Vui lòng nhập số phiếu (8 chữ số in trên phiếu).")
    if len(serial) != SERIAL_LENGTH or not serial.isascii() or not serial.isdigit():
        raise refusal("Số phiếu gồm 8 chữ số, ví dụ 1234-5678.")
    if not is_valid_serial(serial):
        raise refusal("Số phiếu sai chữ số kiểm tra; vui lòng xem lại số in trên phiếu.")
    sheet = db.session.scalar(select(Sheet).where(Sheet.serial == serial))
    shown = display_serial(serial)
    if sheet is None:
        raise refusal(f"Không có phiếu số {shown} trong các lô phiếu đã in.")
    batch = sheet.batch
    if not can_see_unit(batch.unit_id, user):
        raise refusal(f"Phiếu số {shown} không thuộc đơn vị của bạn.")
    if campaign is not None and batch.campaign_id != campaign.id:
        raise refusal(f"Phiếu số {shown} thuộc một đợt khảo sát khác.")
    owner = batch.campaign
    if owner.state is not CampaignState.OPEN:
        raise refusal(f"Đợt khảo sát của phiếu số {shown} không còn mở.")
    return sheet


Saved = TypeVar("Saved")


@dataclass(frozen=True)
class TakenSheet(Generic[Saved]):
    """A typed sheet after reading, finding and saving: what ``save`` returned, or problems."""

    typed: TypedSheet
    sheet: Sheet | None
    saved: Saved | None
    problems: list[Problem]


def take_typed_sheet(form: Mapping[str, str], user: User, campaign: Campaign,
                     save: Callable[[Sheet, Submission], Saved]) -> TakenSheet[Saved]:
    """Read the entry form, find the sheet its serial names and, when nothing is wrong, save
    it with ``save`` (first typing or second); every problem is collected for the page."""
    typed = read_typed(form, campaign)
    problems = list(typed.problems)
    sheet = saved = None
    try:
        sheet = find_sheet(typed.values[SERIAL], user, campaign)
        if not problems:
            saved = save(sheet, typed.submission)
    except EntryRefused as refused:
        problems = refused.problems + problems
    return TakenSheet(typed, sheet, saved, problems)


def snapshot(response: Response) -> dict[str, Any]:
    """A response's answers, profile and comment, as kept in the audit log."""
    return {"answers": {a.item_code: a.value for a in response.answers},
            "profile": {c: getattr(response, c) for c in PROFILE_COLUMNS if getattr(response, c)},
            "comment": response.comment or ""}


def submission_snapshot(submission: Submission) -> dict[str, Any]:
    """A typed submission in the same shape as ``snapshot``."""
    return {"answers": dict(sorted(submission.answers.items())),
            "profile": dict(sorted(submission.profile.items())), "comment": submission.comment}


def check_typed(campaign: Campaign, unit: Unit, submission: Submission) -> None:
    """Refuse answers or profile values the campaign's questionnaire does not allow."""
    instrument = instrument_of(campaign.instrument_version)
    problems = check_submission(instrument, campaign_blocks(campaign), submission, unit)
    if problems:
        raise EntryRefused(problems)


def enter_sheet(sheet_id: int, submission: Submission, user: User, *,
                action: str = "paper_entry.create", note: str | None = None,
                then: Callable[[Session, Response], None] | None = None) -> Response:
    """Store a typed paper sheet (channel paper) once, in one transaction; audited.

    A sheet read from a scan comes the same way, audited as ``paper_entry.scan``; ``then``
    runs inside the same transaction once the response is there (the scan's pending pages
    are removed with it, or not at all).
    """
    sheet = db.session.get(Sheet, sheet_id)
    batch = sheet.batch
    campaign = batch.campaign
    unit = batch.unit
    check_typed(campaign, unit, submission)
    used = f"Phiếu số {display_serial(sheet.serial)} đã được nhập hoặc trả lời trực tuyến."
    if sheet_answered(sheet):
        raise refusal(used)
    try:
        with write_transaction() as session:
            if sheet_answered(sheet):  # checked again under the write lock
                raise refusal(used)
            response = build_response(
                campaign=campaign, unit=unit, version=campaign.instrument_version,
                instrument=instrument_of(campaign.instrument_version), submission=submission,
                key=sheet.serial, channel=Channel.PAPER, submitted_at=utcnow(),
                sheet_id=sheet.id, entered_by_id=user.id)
            session.add(response)
            session.flush()
            audit.record(action, object_type="response", object_id=response.id,
                         after={"serial": sheet.serial, **submission_snapshot(submission)},
                         note=note, user=user)
            if then is not None:
                then(session, response)
    except IntegrityError as error:
        raise refusal(used) from error
    return response


def apply_submission(response: Response, instrument: Instrument, campaign: Campaign,
                     submission: Submission) -> None:
    """Replace a stored response's answers, profile and comment; validity follows."""
    existing = {answer.item_code: answer for answer in response.answers}
    for code, answer in existing.items():
        if code not in submission.answers:
            response.answers.remove(answer)
    for code, value in sorted(submission.answers.items()):
        if code in existing:
            existing[code].value = value
        else:
            response.answers.append(Answer(item_code=code, value=value))
    for column in PROFILE_COLUMNS:
        setattr(response, column, submission.profile.get(column) or None)
    response.comment = submission.comment or None
    response.payload_digest = submission.digest()
    response.n_rated = rated_count(instrument, submission.answers)
    response.pattern_digest = pattern_digest(submission.answers)
    response.straight_value = straight_value(instrument, submission.answers)
    if response.status not in (ResponseStatus.FLAGGED, ResponseStatus.REJECTED):
        # A correction never undoes a reviewer's decision to keep a response out.
        enough = response.n_rated >= required_rated(instrument, campaign.valid_threshold)
        response.status = ResponseStatus.VALID if enough else ResponseStatus.INVALID


def correct_response(response_id: int, submission: Submission, user: User,
                     action: str = "paper_entry.correct",
                     then: Callable[[Session], None] | None = None) -> None:
    """Correct a typed sheet; the audit event keeps the values before and after. ``then``
    runs in the same transaction (a scan's comment page is removed with the correction)."""
    response = db.session.get(Response, response_id)
    campaign = response.campaign
    if campaign.frozen:
        raise refusal(APPROVED, field="campaign")
    check_typed(campaign, response.unit, submission)
    with write_transaction() as session:
        ensure_not_approved(campaign.id)
        response = session.get(Response, response_id)
        before = snapshot(response)
        apply_submission(response, instrument_of(campaign.instrument_version), campaign,
                         submission)
        session.flush()
        audit.record(action, object_type="response", object_id=response.id, before=before,
                     after=snapshot(response), user=user)
        if then is not None:
            then(session)


def open_campaigns(user: User) -> list[Campaign]:
    """Open campaigns with a unit the user may see, latest first."""
    return campaigns_for(user, (CampaignState.OPEN,))


def values_of(response: Response) -> dict[str, str]:
    """A stored response as the entry form's field values."""
    values = {answer.item_code: str(answer.value) for answer in response.answers}
    values.update({column: getattr(response, column) or "" for column in PROFILE_COLUMNS})
    values[COMMENT] = response.comment or ""
    return values


def paper_response(response_id: int) -> Response | None:
    """A response typed from paper, or None."""
    response = db.session.get(Response, response_id)
    return response if response is not None and response.channel is Channel.PAPER else None


def recent_entries(user: User, limit: int = 10) -> list[tuple[Response, str]]:
    """The user's latest typed sheets with their serials, newest first."""
    rows = db.session.execute(
        select(Response, Sheet.serial).join(Sheet, Sheet.id == Response.sheet_id)
        .where(Response.channel == Channel.PAPER, Response.entered_by_id == user.id)
        .order_by(Response.id.desc()).limit(limit))
    return [(row[0], row[1]) for row in rows]
