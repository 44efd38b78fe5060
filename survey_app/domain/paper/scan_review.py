"""Scanned pages waiting for a person: the list, one page's uncertain questions, saving.

A reviewer sees only what the reader could not decide (each question with the crop of its
row) and, on the page that carries it, the comment box to type. Saving puts the decisions
into the page; once every page of the sheet is decided the sheet is stored through the
paper-entry path (``scan_intake.store_sheet``) and its pending pages go with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, defer, selectinload

from ...auth import scope_to_units
from ...database import write_transaction
from ...extensions import db
from ...models import Campaign, Response, ScanCrop, ScanPage, ScanState, Sheet, User
from ...support.text import clean_text
from ..audit import audit
from ..campaigns.instruments import instrument_of
from ..submissions.responses import COMMENT, Problem, Submission
from .paper_entry import (
    DIGITS,
    EntryRefused,
    campaign_blocks,
    correct_response,
    snapshot,
)
from .scan_intake import PageRead, sheet_response, store_sheet
from .scan_queue import WAITING_STATES
from .serials import display_serial

#: Sheets listed at most on the pending page (the oldest first).
LIST_LIMIT = 500
#: What a reviewer's decision is recorded as in the page's readings.
REVIEWED = "reviewed"
#: The states a person has something to do in.


@dataclass(frozen=True)
class ReviewQuestion:
    """One question a person must decide, as the review screen shows it."""

    code: str
    kind: str  # "item" or "profile"
    number: int | None  # the item's number on the sheet
    text: str
    reason: str
    #: A profile question's options, (code, label), in the sheet's order.
    options: tuple[tuple[str, str], ...] = ()
    has_crop: bool = False


def review_questions(page: ScanPage) -> list[ReviewQuestion]:
    """The page's questions still to decide, in the sheet's order."""
    instrument = instrument_of(page.campaign.instrument_version)
    numbers = {item.code: (n, item) for n, item in
               enumerate(instrument.items_for(campaign_blocks(page.campaign)), 1)}
    cropped = set(db.session.scalars(select(ScanCrop.code)
                                     .where(ScanCrop.scan_page_id == page.id)))
    questions = []
    for code in page.review_codes():
        reading = page.readings[code]
        if code in numbers:
            number, item = numbers[code]
            questions.append(ReviewQuestion(code, "item", number, item.text, reading["review"],
                                            has_crop=code in cropped))
            continue
        try:
            question = instrument.profile_question(code)
        except KeyError:
            continue
        options = tuple((str(o.value), o.label) for o in question.options)
        questions.append(ReviewQuestion(code, "profile", None, question.label,
                                        reading["review"], options, code in cropped))
    return questions


@dataclass(frozen=True)
class PendingSheet:
    """A sheet with pages waiting here."""

    sheet_id: int
    serial: str
    unit_name: str
    pages: list[ScanPage]
    #: Pages of the sheet not uploaded yet.
    missing: list[int]
    #: The sheet was stored meanwhile (typed by hand, say): its review pages are moot.
    answered: bool

    @property
    def shown(self) -> str:
        return display_serial(self.serial)


def pending_sheets(user: User, campaign_id: int) -> list[PendingSheet]:
    """The campaign's sheets with pages waiting, in the user's units, oldest first."""
    query = (select(ScanPage).where(ScanPage.campaign_id == campaign_id)
             .options(defer(ScanPage.comment_png), selectinload(ScanPage.sheet)
                      .selectinload(Sheet.batch), selectinload(ScanPage.unit))
             .order_by(ScanPage.sheet_id, ScanPage.sheet_page))
    grouped: dict[int, list[ScanPage]] = {}
    for row in db.session.scalars(scope_to_units(query, ScanPage.unit_id, user)):
        grouped.setdefault(row.sheet_id, []).append(row)
    groups = sorted(grouped.values(), key=lambda rows: min(r.id for r in rows))[:LIST_LIMIT]
    # Sheets not stored yet whose serial was used meanwhile (typed by hand, say): one query.
    unstored = {rows[0].sheet_id: rows[0].sheet.serial for rows in groups
                if any(row.state is not ScanState.COMMENT for row in rows)}
    used = set(db.session.scalars(select(Response.submission_key)
                                  .where(Response.submission_key.in_(unstored.values()))))
    answered = {sheet_id for sheet_id, serial in unstored.items() if serial in used}
    answered |= set(db.session.scalars(select(Response.sheet_id)
                                       .where(Response.sheet_id.in_(unstored))))
    sheets = []
    for pages in groups:
        sheet = pages[0].sheet
        needed = int((sheet.batch.layout or {}).get("pages_per_sheet", 1))
        have = {row.sheet_page for row in pages}
        moot = sheet.id in unstored and sheet.id in answered
        missing = [n for n in range(1, needed + 1) if n not in have] \
            if sheet.id in unstored else []
        sheets.append(PendingSheet(sheet.id, sheet.serial, pages[0].unit.name, pages, missing,
                                   moot))
    return sheets


def next_waiting(user: User, campaign_id: int, after: int) -> int | None:
    """The next page after ``after`` that waits for a person (then the first), or None."""
    query = select(ScanPage.id).where(ScanPage.campaign_id == campaign_id,
                                      ScanPage.state.in_(WAITING_STATES))
    query = scope_to_units(query, ScanPage.unit_id, user)
    later = db.session.scalar(query.where(ScanPage.id > after).order_by(ScanPage.id).limit(1))
    if later is not None:
        return later
    return db.session.scalar(query.where(ScanPage.id != after).order_by(ScanPage.id).limit(1))


def crop_of(page: ScanPage, code: str) -> bytes | None:
    """A question's row as a PNG, or the comment box (``comment``); None when there is none."""
    if code == COMMENT:
        return page.comment_png
    return db.session.scalar(select(ScanCrop.png).where(ScanCrop.scan_page_id == page.id,
                                                        ScanCrop.code == code))


def _comment_limit(campaign: Campaign) -> int:
    instrument = instrument_of(campaign.instrument_version)
    for question in instrument.profile:
        if question.code == COMMENT and question.max_length:
            return question.max_length
    return 2000


def read_review(page: ScanPage, form: Mapping[str, str]
                ) -> tuple[dict[str, Any], str | None, dict[str, str], list[Problem]]:
    """The reviewer's decisions: value per question (None: no answer), the comment typed
    (None when the page has no comment box), the raw values to show again, and problems."""
    values: dict[str, Any] = {}
    raw: dict[str, str] = {}
    problems: list[Problem] = []
    for question in review_questions(page):
        if question.kind == "item":
            typed = (form.get(question.code) or "").strip()[:5]
            raw[question.code] = typed
            if typed in DIGITS:
                values[question.code] = DIGITS[typed]
            elif not typed:
                values[question.code] = None
            else:
                problems.append(Problem(question.code, f"Câu {question.number}: chỉ nhập một "
                                        "chữ số từ 1 đến 5, hoặc 0 nếu “Không áp dụng” (để "
                                        "trống nếu không có câu trả lời rõ ràng)."))
            continue
        chosen = clean_text(form.get(question.code, ""))[:40]
        raw[question.code] = chosen
        codes = {code for code, _label in question.options}
        profile = instrument_of(page.campaign.instrument_version).profile_question(question.code)
        if chosen and chosen not in codes:
            problems.append(Problem(question.code, f"{question.text}: lựa chọn không hợp lệ."))
        elif not chosen and profile.required:
            problems.append(Problem(question.code,
                                    f"Vui lòng chọn một ý cho câu “{question.text}”."))
        else:
            values[question.code] = chosen or None
    comment = None
    if page.comment_png is not None:
        comment = clean_text(form.get(COMMENT, ""))
        raw[COMMENT] = comment
        limit = _comment_limit(page.campaign)
        if len(comment) > limit:
            problems.append(Problem(COMMENT, f"Ý kiến dài {len(comment)} ký tự; tối đa {limit} "
                                    "ký tự."))
    return values, comment, raw, problems


@dataclass(frozen=True)
class ReviewSaved:
    """What saving a review did, for the message shown next."""

    message: str
    category: str = "success"
    stored: bool = False


def _remove(session: Session, page_ids: list[int]) -> None:
    session.execute(delete(ScanCrop).where(ScanCrop.scan_page_id.in_(page_ids)))
    session.execute(delete(ScanPage).where(ScanPage.id.in_(page_ids)))


def save_review(page_id: int, form: Mapping[str, str], user: User) -> ReviewSaved:
    """Record a reviewer's decisions on one page; store the sheet once all its pages are
    decided. ``EntryRefused`` names what must be fixed (nothing is saved then)."""
    page = db.session.get(ScanPage, page_id)
    shown = display_serial(page.sheet.serial)
    values, comment, _raw, problems = read_review(page, form)
    if problems:
        raise EntryRefused(problems)
    if page.state is ScanState.COMMENT:
        return _save_comment(page, comment or "", user)
    sheet, campaign = page.sheet, page.campaign
    if sheet_response(sheet) is not None:
        moot = [row.id for row in db.session.scalars(
            select(ScanPage).where(ScanPage.sheet_id == sheet.id,
                                   ScanPage.state != ScanState.COMMENT))]
        with write_transaction() as session:
            _remove(session, moot)
            audit.record("scan_page.discard", user=user, object_type="sheet",
                         object_id=sheet.id, note=f"phiếu số {shown} đã được nhập trước đó")
        return ReviewSaved(f"Phiếu số {shown} đã được nhập trước đó; các trang quét chờ của "
                           "phiếu đã được bỏ, không nhập lại.", "warning")
    readings = {code: ({key: value for key, value in reading.items() if key != "review"}
                       | {"value": values[code], "decision": REVIEWED}
                       if code in values else reading)
                for code, reading in page.readings.items()}
    this = PageRead.of(page)
    this.readings = readings
    if page.comment_png is not None:
        this.comment = comment
    others = list(db.session.scalars(
        select(ScanPage).where(ScanPage.sheet_id == sheet.id, ScanPage.id != page.id)))
    needed = set(range(1, int(sheet.batch.layout.get("pages_per_sheet", 1)) + 1))
    present = {row.sheet_page for row in others} | {page.sheet_page}
    if present >= needed and all(row.state is ScanState.READY for row in others):
        taken = store_sheet(sheet, [PageRead.of(row) for row in others] + [this], campaign,
                            user)
        if taken.saved is None:
            raise EntryRefused(taken.problems)
        return ReviewSaved(f"Đã lưu phiếu số {shown} ({taken.saved.status.label}).",
                           stored=True)
    with write_transaction() as session:
        row = session.get(ScanPage, page_id)
        row.readings, row.state, row.comment, row.problem = \
            readings, ScanState.READY, this.comment, None
    still = sorted(needed - present)
    waiting = sorted(row.sheet_page for row in others if row.state is ScanState.REVIEW)
    parts = ([f"chờ tải lên trang {', '.join(map(str, still))}"] if still else []) + \
        ([f"chờ xem lại trang {', '.join(map(str, waiting))}"] if waiting else [])
    return ReviewSaved(f"Đã lưu phần xem lại trang {page.sheet_page} của phiếu số {shown}; "
                       f"phiếu được lưu khi đủ các trang ({' và '.join(parts)}).")


def _save_comment(page: ScanPage, comment: str, user: User) -> ReviewSaved:
    """Type a stored sheet's handwritten comment in (a correction, audited); an empty one
    only removes the page (nothing legible was written)."""
    shown = display_serial(page.sheet.serial)
    page_id = page.id
    if not comment:
        with write_transaction() as session:
            _remove(session, [page_id])
            audit.record("scan_page.discard", user=user, object_type="scan_page",
                         object_id=page_id, note=f"phiếu số {shown}: không gõ ý kiến")
        return ReviewSaved(f"Phiếu số {shown}: không ghi ý kiến; đã bỏ ảnh ý kiến.")
    stored = snapshot(page.response)
    submission = Submission(answers=stored["answers"], profile=stored["profile"],
                            comment=comment)
    correct_response(page.response_id, submission, user, action="paper_entry.scan_comment",
                     then=lambda session: _remove(session, [page_id]))
    return ReviewSaved(f"Đã lưu ý kiến của phiếu số {shown}.", stored=True)


def discard_page(page_id: int, user: User) -> str:
    """Remove a waiting page (to scan it again or type the sheet by hand); audited."""
    page = db.session.get(ScanPage, page_id)
    message = f"Đã bỏ trang {page.sheet_page} của phiếu số {display_serial(page.sheet.serial)}."
    before = {"serial": page.sheet.serial, "page": page.sheet_page, "state": str(page.state),
              "readings": page.readings, "source": page.source}
    with write_transaction() as session:
        _remove(session, [page_id])
        audit.record("scan_page.discard", user=user, object_type="scan_page", object_id=page_id,
                     before=before)
    return message
