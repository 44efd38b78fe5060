"""Scans in, sheets out: every page read, clean sheets stored through the paper-entry path.

Each page of an upload is read by ``reading`` (identified by its QR code, registered, every
question decided). A sheet whose pages are all here and every question was read with
confidence is stored at once by ``take_typed_sheet`` and ``enter_sheet`` — the very path of
a sheet typed from the keyboard: channel paper, the serial used once, the campaign's rules,
audited (``paper_entry.scan``), open to correction and to a second typing. Anything else is
kept as a ``ScanPage``: questions for a person (``review``), or a page waiting for the other
pages of its sheet (``ready``); a stored sheet's handwritten comment waits to be typed
(``comment``). Nothing is ever stored twice: a page already waiting, a sheet already stored
from a scan, typed by hand or answered online is reported and left as it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

import numpy as np
import pypdfium2 as pdfium
from sqlalchemy import delete, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...auth import can_see_unit
from ...database import write_transaction
from ...errors import DomainError
from ...extensions import db
from ...models import (
    AuditEvent,
    Campaign,
    Channel,
    Response,
    ScanCrop,
    ScanPage,
    ScanState,
    Sheet,
    SheetBatch,
    User,
)
from ...support.text import clean_text
from ..campaigns.instruments import instrument_of
from ..submissions.responses import COMMENT, Problem
from .paper_entry import SERIAL, TakenSheet, campaign_blocks, enter_sheet, take_typed_sheet
from .reading import (
    DEFAULT_DPI,
    Lookup,
    PageImage,
    PageResult,
    Rejection,
    SheetCode,
    SheetContext,
    Status,
    UnreadableFile,
    read_page,
)
from .reading.load import MAX_PDF_PAGES, iter_pages, kind_of
from .reading.results import DECISION_REASONS
from .reading.warp import crop_png, warp_page
from .serials import display_serial

#: The audit action of a sheet stored from a scan (a typed one is ``paper_entry.create``).
SCAN_ACTION = "paper_entry.scan"
#: Why a required profile question read blank goes to a person (typing would refuse it too).
REQUIRED_BLANK = "câu bắt buộc chưa được đánh dấu"
#: Most pages read in one call unless the caller says otherwise.
MAX_PAGES = MAX_PDF_PAGES
SOURCE_LENGTH = 200


class UploadRefused(DomainError):
    """An upload refused as a whole, before any page is read; the message says why."""


class Outcome(StrEnum):
    """What became of one page."""

    STORED = "stored"
    WAITING = "waiting"
    REVIEW = "review"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    ALREADY = "already"
    ENTERED = "entered"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    Outcome.STORED: "Đã lưu phiếu",
    Outcome.WAITING: "Đã đọc, chờ trang khác",
    Outcome.REVIEW: "Cần xem lại",
    Outcome.REJECTED: "Không đọc được",
    Outcome.DUPLICATE: "Đã tải lên trước đó",
    Outcome.ALREADY: "Đã nhập",
    Outcome.ENTERED: "Phiếu đã có, không nhập lại",
}


@dataclass(frozen=True)
class PageOutcome:
    """One page of an upload: what was read and what became of it."""

    result: PageResult
    outcome: Outcome
    message: str
    scan_page_id: int | None = None
    response_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The reader's JSON line with what was done: ``outcome`` and ``message``."""
        return {**self.result.to_json(), "outcome": str(self.outcome), "message": self.message}


@dataclass(frozen=True)
class ReadPage:
    """One page as read, with the digest of its pixels and (while it is handled) its image."""

    result: PageResult
    digest: str | None = None
    image: PageImage | None = None


@dataclass
class PageRead:
    """What storing needs of one page of a sheet, whether just read or kept from before."""

    sheet_page: int
    readings: dict[str, dict[str, Any]]
    comment_written: bool = False
    comment_png: bytes | None = None
    #: The comment as typed by a reviewer; None while nobody has typed it.
    comment: str | None = None
    crops: dict[str, bytes] = field(default_factory=dict)
    source: str = ""
    file_page: int = 0
    digest: str = ""
    row_id: int | None = None

    @property
    def review(self) -> list[str]:
        """Codes of the questions a person must decide."""
        return [code for code, reading in self.readings.items() if reading.get("review")]

    @classmethod
    def of(cls, row: ScanPage) -> PageRead:
        return cls(row.sheet_page, dict(row.readings), row.comment_written, row.comment_png,
                   row.comment, {}, row.source, row.file_page, row.image_sha256, row.id)


# -- reading ----------------------------------------------------------------------------------

def campaign_lookup(campaign: Campaign) -> Lookup:
    """The reader's lookup over the campaign's printed sheets (token on page 1, serial on the
    others); sheets of other campaigns and batches without a stored layout are unknown."""
    instrument = instrument_of(campaign.instrument_version)
    item_codes = tuple(item.code for item in instrument.items_for(campaign_blocks(campaign)))

    def lookup(code: SheetCode) -> SheetContext | None:
        query = (select(Sheet, SheetBatch.layout).join(SheetBatch, SheetBatch.id == Sheet.batch_id)
                 .where(SheetBatch.campaign_id == campaign.id))
        query = query.where(Sheet.token == code.token) if code.token else \
            query.where(Sheet.serial == (code.serial or ""))
        row = db.session.execute(query).first()
        if row is None or not row[1]:
            return None
        return SheetContext(row[0].serial, row[1], item_codes, row[0].token)
    return lookup


def page_digest(page: PageImage) -> str:
    """SHA-256 of a page's grey pixels and size: the same scan gives the same digest."""
    digest = hashlib.sha256(f"{page.gray.shape}".encode())
    digest.update(np.ascontiguousarray(page.gray).tobytes())
    return digest.hexdigest()


def check_files(files: Sequence[tuple[str, bytes]], max_pages: int) -> int:
    """The number of pages in the files, or ``UploadRefused`` before anything is read: a
    file that is empty, no PDF/JPEG/PNG, a damaged PDF, or too many pages in all."""
    total = 0
    for name, data in files:
        kind = kind_of(data)
        if not data:
            raise UploadRefused(f"Tệp “{name}” rỗng; chưa đọc tệp nào.")
        if kind is None:
            raise UploadRefused(f"Tệp “{name}” không phải PDF, JPEG hay PNG; chưa đọc tệp nào. "
                                "Quét hoặc lưu lại phiếu dưới dạng PDF, JPEG hoặc PNG.")
        if kind != "pdf":
            total += 1
            continue
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            raise UploadRefused(f"Tệp PDF “{name}” bị hỏng hoặc có mật khẩu; chưa đọc tệp "
                                "nào.") from None
        try:
            total += len(document)
        finally:
            document.close()
    if total > max_pages:
        raise UploadRefused(f"Các tệp có {total} trang; mỗi lần chỉ đọc tối đa {max_pages} "
                            "trang. Vui lòng chia ra và tải lên từng phần.")
    return total


def read_pages(files: Iterable[tuple[str, bytes]], lookup: Lookup, *,
               dpi: int = DEFAULT_DPI) -> Iterator[ReadPage]:
    """Every page of every file, read one at a time (a long PDF is never all in memory); a
    file that cannot be opened gives one rejected page (page 0) with the reason."""
    for name, data in files:
        try:
            for page in iter_pages(data, name, dpi=dpi):
                yield ReadPage(read_page(page, lookup), page_digest(page), page)
        except UnreadableFile as error:
            yield ReadPage(PageResult(name, 0, Status.REJECTED,
                                      f"{Rejection.FILE.message}: {error}",
                                      rejection=Rejection.FILE))


# -- what a page says -------------------------------------------------------------------------

def required_questions(campaign: Campaign) -> set[str]:
    """Profile questions a sheet cannot be stored without (typing refuses them blank too)."""
    instrument = instrument_of(campaign.instrument_version)
    return {q.code for q in instrument.profile if q.required and q.kind == "choice"}


def question_names(campaign: Campaign) -> dict[str, str]:
    """How staff name each question: "câu 3" for a rating item, the label of a profile one."""
    instrument = instrument_of(campaign.instrument_version)
    names = {item.code: f"câu {number}" for number, item in
             enumerate(instrument.items_for(campaign_blocks(campaign)), 1)}
    names.update({q.code: q.label for q in instrument.profile})
    return names


def page_readings(result: PageResult, required: set[str]) -> dict[str, dict[str, Any]]:
    """Per question: kind, decision, value (None: blank or undecided) and, for a person,
    why it must be decided."""
    readings: dict[str, dict[str, Any]] = {}
    for question in result.questions:
        reading: dict[str, Any] = {"kind": question.kind, "decision": str(question.decision),
                                   "value": None if question.needs_review else question.value}
        if question.needs_review:
            reading["review"] = DECISION_REASONS[question.decision]
        elif question.kind == "profile" and question.code in required \
                and question.value is None:
            reading["review"] = REQUIRED_BLANK
        readings[question.code] = reading
    return readings


def _extra_crops(read: ReadPage, layout: Mapping[str, Any], codes: set[str]) -> dict[str, bytes]:
    """Crops of questions the reader accepted but a person must see (a required question
    left blank): cut from the page laid onto its layout, as the reader cuts its own."""
    result = read.result
    if not codes or read.image is None or result.registration is None:
        return {}
    width, height = float(layout["page_size"][0]), float(layout["page_size"][1])
    canonical = warp_page(read.image.gray, np.array(result.registration.page_to_image),
                          (width, height))
    return {q.code: crop_png(canonical, {"x": q.box.x, "y": q.box.y, "w": q.box.w,
                                         "h": q.box.h}, height)
            for q in result.questions if q.code in codes and q.box is not None}


def _page_read(read: ReadPage, layout: Mapping[str, Any], required: set[str]) -> PageRead:
    result = read.result
    readings = page_readings(result, required)
    crops = {q.code: q.crop_png for q in result.questions if q.crop_png}
    missing = {code for code, reading in readings.items()
               if reading.get("review") and code not in crops}
    crops.update(_extra_crops(read, layout, missing))
    return PageRead(result.sheet_page or 1, readings, result.comment_has_ink, result.comment_png,
                    None, crops, clean_text(result.file)[:SOURCE_LENGTH], result.page,
                    read.digest or "")


def _review_message(page: PageRead, names: Mapping[str, str]) -> str:
    doubts = "; ".join(f"{names.get(code, code)}: {page.readings[code]['review']}"
                       for code in page.review)
    return f"Cần xem lại {doubts}."


# -- storing ----------------------------------------------------------------------------------

def sheet_form(serial: str, pages: Sequence[PageRead],
               typed: Mapping[str, str] | None = None) -> dict[str, str]:
    """The sheet as the paper-entry form would carry it: serial, one digit per item (0 = not
    applicable), profile codes, comment."""
    form = {SERIAL: serial}
    for page in sorted(pages, key=lambda p: p.sheet_page):
        for code, reading in page.readings.items():
            form[code] = "" if reading.get("value") is None else str(reading["value"])
    form[COMMENT] = " ".join(p.comment for p in sorted(pages, key=lambda p: p.sheet_page)
                             if p.comment)
    form.update(typed or {})
    return form


def _waiting_comments(pages: Sequence[PageRead]) -> list[PageRead]:
    """Pages whose handwritten comment nobody has typed yet."""
    return [p for p in pages if p.comment_written and p.comment_png and p.comment is None]


def store_sheet(sheet: Sheet, pages: Sequence[PageRead], campaign: Campaign,
                user: User) -> TakenSheet[Response]:
    """Store the sheet read from ``pages`` through the paper-entry path; in the same
    transaction its pending pages go, and a comment still to type stays as a page."""
    sheet_id, serial = sheet.id, sheet.serial
    unit_id = sheet.batch.unit_id
    comments = _waiting_comments(pages)
    sources = ", ".join(sorted({f"{p.source} tr. {p.file_page}" for p in pages}))

    def then(session: Session, response: Response) -> None:
        pending = select(ScanPage.id).where(ScanPage.sheet_id == sheet_id)
        session.execute(delete(ScanCrop).where(ScanCrop.scan_page_id.in_(pending)))
        session.execute(delete(ScanPage).where(ScanPage.sheet_id == sheet_id))
        for page in comments:
            session.add(ScanPage(
                campaign_id=campaign.id, unit_id=unit_id, sheet_id=sheet_id,
                sheet_page=page.sheet_page, state=ScanState.COMMENT,
                image_sha256=page.digest, source=page.source, file_page=page.file_page,
                readings={}, comment_written=True, comment_png=page.comment_png,
                response_id=response.id, uploaded_by_id=user.id))

    return take_typed_sheet(
        sheet_form(serial, pages), user, campaign,
        lambda found, submission: enter_sheet(found.id, submission, user, action=SCAN_ACTION,
                                               note=f"đọc từ bản quét: {sources}"[:1000],
                                               then=then))


def _new_row(sheet: Sheet, page: PageRead, state: ScanState, user: User,
             problem: str | None = None) -> ScanPage:
    row = ScanPage(campaign_id=sheet.batch.campaign_id, unit_id=sheet.batch.unit_id,
                   sheet_id=sheet.id, sheet_page=page.sheet_page, state=state,
                   image_sha256=page.digest, source=page.source, file_page=page.file_page,
                   readings=page.readings, comment_written=page.comment_written,
                   comment_png=page.comment_png, comment=page.comment, problem=problem,
                   uploaded_by_id=user.id)
    row.crops = [ScanCrop(code=code, png=png) for code, png in page.crops.items()]
    return row


def hold_for_review(sheet: Sheet, pages: Sequence[PageRead], problems: Sequence[Problem],
                    user: User) -> dict[int, int] | None:
    """Storing was refused for what a person can fix (a field of the sheet): the pages that
    carry those fields go to review with the refusal; the others stay as read. Returns the
    row id of each page, or None when no problem names a field of the sheet."""
    messages = {problem.field: problem.message for problem in problems}
    if not any(code in messages for page in pages for code in page.readings):
        return None
    summary = " ".join(problem.message for problem in problems)[:500]
    ids: dict[int, int] = {}
    with write_transaction() as session:
        for page in pages:
            readings = {code: ({**reading, "value": None, "review": messages[code]}
                               if code in messages else reading)
                        for code, reading in page.readings.items()}
            touched = readings != page.readings
            state = ScanState.REVIEW if any(r.get("review") for r in readings.values()) \
                else ScanState.READY
            if page.row_id is None:
                row = _new_row(sheet, replace(page, readings=readings), state, user,
                               summary if touched else None)
                session.add(row)
                session.flush()
            else:
                row = session.get(ScanPage, page.row_id)
                row.readings, row.state = readings, state
                if touched:
                    row.problem = summary
            ids[page.sheet_page] = row.id
    return ids


# -- one page of an upload --------------------------------------------------------------------

def _scanned(response: Response) -> bool:
    """True when the response was stored from a scan (its creation is audited as such)."""
    return bool(db.session.scalar(select(exists().where(
        AuditEvent.action == SCAN_ACTION, AuditEvent.object_type == "response",
        AuditEvent.object_id == str(response.id)))))


def answered_outcome(result: PageResult, sheet: Sheet, response: Response) -> PageOutcome:
    """A page of a sheet already answered: reported, never stored again."""
    shown = display_serial(sheet.serial)
    if response.channel is not Channel.PAPER:
        return PageOutcome(result, Outcome.ENTERED, f"Phiếu số {shown} đã được trả lời trực "
                           "tuyến; bản quét không được nhập.", response_id=response.id)
    if _scanned(response):
        return PageOutcome(result, Outcome.ALREADY, f"Phiếu số {shown} đã nhập (từ bản quét); "
                           "không nhập lại.", response_id=response.id)
    return PageOutcome(result, Outcome.ENTERED, f"Phiếu số {shown} đã được nhập tay; bản quét "
                       "không được nhập lại.", response_id=response.id)


def sheet_response(sheet: Sheet) -> Response | None:
    """The response that used the sheet's serial, online or from paper, if any."""
    return db.session.scalar(select(Response).where(
        or_(Response.sheet_id == sheet.id, Response.submission_key == sheet.serial)))


def _refused_out_of_scope(result: PageResult, shown: str) -> PageOutcome:
    message = f"Phiếu số {shown} không thuộc đơn vị của bạn."
    # Nothing read from another unit's sheet is shown or kept.
    hidden = replace(result, status=Status.REJECTED, reason=message, questions=(),
                     comment_png=None, comment_has_ink=False)
    return PageOutcome(hidden, Outcome.REJECTED, message)


def take_page(read: ReadPage, campaign: Campaign, user: User) -> PageOutcome:
    """Handle one page read from an upload: store its sheet, keep it, or report why not."""
    result = read.result
    if result.status is Status.REJECTED:
        return PageOutcome(result, Outcome.REJECTED, result.reason)
    sheet = db.session.scalar(select(Sheet).where(Sheet.serial == result.serial))
    if sheet is None:  # the lookup found it a moment ago: nothing to store it as now
        return PageOutcome(result, Outcome.REJECTED, Rejection.UNKNOWN_SHEET.message)
    shown = display_serial(sheet.serial)
    if not can_see_unit(sheet.batch.unit_id, user):
        return _refused_out_of_scope(result, shown)
    response = sheet_response(sheet)
    if response is not None:
        return answered_outcome(result, sheet, response)
    number = result.sheet_page or 1
    kept = db.session.scalar(select(ScanPage).where(ScanPage.sheet_id == sheet.id,
                                                    ScanPage.sheet_page == number))
    if kept is not None:
        return _duplicate(result, kept, read.digest, shown, number)
    page = _page_read(read, sheet.batch.layout, required_questions(campaign))
    return _file_page(read, sheet, page, campaign, user)


def _duplicate(result: PageResult, kept: ScanPage, digest: str | None, shown: str,
               number: int) -> PageOutcome:
    same = "bản quét này" if kept.image_sha256 == digest else "một bản quét khác của trang này"
    return PageOutcome(result, Outcome.DUPLICATE,
                       f"Trang {number} của phiếu số {shown}: {same} đã được tải lên và đang "
                       f"chờ ({kept.state.label.lower()}); không thay đổi gì.",
                       scan_page_id=kept.id)


def _file_page(read: ReadPage, sheet: Sheet, page: PageRead, campaign: Campaign,
               user: User) -> PageOutcome:
    result = read.result
    shown = display_serial(sheet.serial)
    names = question_names(campaign)
    others = list(db.session.scalars(select(ScanPage).where(ScanPage.sheet_id == sheet.id)
                                     .order_by(ScanPage.sheet_page)))
    needed = set(range(1, int(sheet.batch.layout.get("pages_per_sheet", 1)) + 1))
    present = {row.sheet_page for row in others} | {page.sheet_page}
    complete = present >= needed and all(row.state is ScanState.READY for row in others)
    if not page.review and complete:
        pages = [PageRead.of(row) for row in others] + [page]
        taken = store_sheet(sheet, pages, campaign, user)
        if taken.saved is not None:
            return PageOutcome(result, Outcome.STORED, f"Đã lưu phiếu số {shown} "
                               f"({taken.saved.status.label}).", response_id=taken.saved.id)
        # What a person must now decide on this page is shown with its row, as a doubt is.
        fields = {problem.field for problem in taken.problems} & set(page.readings)
        page.crops.update(_extra_crops(read, sheet.batch.layout, fields - set(page.crops)))
        held = hold_for_review(sheet, pages, taken.problems, user)
        text = " ".join(problem.message for problem in taken.problems)
        if held is None:
            return PageOutcome(result, Outcome.REJECTED, text)
        return PageOutcome(result, Outcome.REVIEW, f"Chưa lưu được phiếu số {shown}: {text}",
                           scan_page_id=held.get(page.sheet_page))
    state = ScanState.REVIEW if page.review else ScanState.READY
    try:
        with write_transaction() as session:
            row = _new_row(sheet, page, state, user)
            session.add(row)
            session.flush()
            row_id = row.id
    except IntegrityError:  # the same page, uploaded at the same moment by someone else
        return PageOutcome(result, Outcome.DUPLICATE, f"Trang {page.sheet_page} của phiếu số "
                           f"{shown} vừa được tải lên; không thay đổi gì.")
    if page.review:
        return PageOutcome(result, Outcome.REVIEW, _review_message(page, names),
                           scan_page_id=row_id)
    missing = sorted(needed - present)
    waiting = [row.sheet_page for row in others if row.state is ScanState.REVIEW]
    parts = []
    if missing:
        parts.append("chờ tải lên trang " + ", ".join(str(n) for n in missing))
    if waiting:
        parts.append("chờ xem lại trang " + ", ".join(str(n) for n in waiting))
    return PageOutcome(result, Outcome.WAITING, f"Đã đọc trang {page.sheet_page} của phiếu số "
                       f"{shown}; " + " và ".join(parts) + ".", scan_page_id=row_id)


def take_scans(files: Sequence[tuple[str, bytes]], campaign: Campaign, user: User, *,
               dpi: int = DEFAULT_DPI, max_pages: int = MAX_PAGES,
               check: bool = True) -> list[PageOutcome]:
    """Read every page of the files for ``campaign`` and handle each (see ``take_page``).

    With ``check`` the files are looked at first and the whole upload is refused
    (``UploadRefused``) when one is no PDF/JPEG/PNG or they hold too many pages.
    """
    if check:
        check_files(files, max_pages)
    outcomes = [take_page(read, campaign, user)
                for read in read_pages(files, campaign_lookup(campaign), dpi=dpi)]
    return settled(outcomes)


def settled(outcomes: list[PageOutcome]) -> list[PageOutcome]:
    """A page reported as waiting whose sheet was stored later in the same upload is
    reported as stored with it."""
    stored = {o.result.serial: o for o in outcomes if o.outcome is Outcome.STORED}
    return [replace(o, outcome=Outcome.STORED, message=stored[o.result.serial].message,
                    scan_page_id=None, response_id=stored[o.result.serial].response_id)
            if o.outcome is Outcome.WAITING and o.result.serial in stored else o
            for o in outcomes]
