"""Scanned and photographed paper sheets: upload, the pages waiting, keyboard-first review."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from ..auth import UNIT_WORK, acting_user, roles_required
from ..domain.campaigns.instruments import instrument_of
from ..domain.paper.paper_entry import EntryRefused
from ..domain.paper.serials import display_serial
from ..domain.submissions.responses import COMMENT, Problem
from ..extensions import csrf
from ..models import ScanPage, ScanState
from ..support.lazy import lazy_module
from ..support.text import clean_text
from .access import get_in_scope
from .entry import open_campaign
from .sheet_forms import ActionForm

# Reading scans needs OpenCV, NumPy and PDFium: imported on the first upload or review, not
# when the app starts (issue 12).
intake = lazy_module("survey_app.domain.paper.scan_intake")
review = lazy_module("survey_app.domain.paper.scan_review")

#: Shown when an upload's CSRF token is missing or expired (nothing is read then).
EXPIRED = ("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang và "
           "chọn lại tệp.")
NO_FILES = "Vui lòng chọn ít nhất một tệp PDF, JPEG hoặc PNG của phiếu đã quét hoặc chụp."


def size_text(size: int) -> str:
    """A byte count as staff read it: "40 MB", "97 kB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB"
    return f"{size // 1024} kB"


def _too_large() -> str:
    limit = size_text(int(current_app.config["SCAN_MAX_UPLOAD"]))
    return (f"Các tệp tải lên quá lớn (tối đa {limit} mỗi lần). Vui lòng chia ra và tải lên "
            "từng phần, hoặc quét ở 200 dpi thang xám.")


def _render_scans(campaign, campaigns, *, outcomes=None, error=None, status=200):
    counts: dict[str, int] = {}
    for outcome in outcomes or ():
        counts[outcome.outcome] = counts.get(outcome.outcome, 0) + 1
    return render_template(
        "staff/scans.html", campaign=campaign, campaigns=campaigns, outcomes=outcomes,
        counts=counts, labels=intake.OUTCOME_LABELS, error=error, form=ActionForm(),
        pending=review.pending_sheets(current_user, campaign.id), states=ScanState,
        max_pages=current_app.config["SCAN_MAX_PAGES"],
        max_size=size_text(int(current_app.config["SCAN_MAX_UPLOAD"]))), status


def _uploaded() -> list[tuple[str, bytes]]:
    """The chosen files as (name, bytes); the browser's empty entry (no file) is left out."""
    files = []
    for storage in request.files.getlist("files"):
        name = clean_text(storage.filename or "")[:200]
        if name:
            files.append((name, storage.read()))
    return files


@csrf.exempt  # checked below, once the upload's own size limit is in force
@roles_required(*UNIT_WORK)
def scans():
    """Upload scans or photos of sheets; clean sheets are stored, the rest listed."""
    campaign, campaigns = open_campaign()
    if campaign is None:
        return render_template("staff/no_campaign.html")
    if request.method != "POST":
        return _render_scans(campaign, campaigns)
    request.max_content_length = int(current_app.config["SCAN_MAX_UPLOAD"])
    try:
        if not ActionForm().validate_on_submit():
            abort(400, description=EXPIRED)
        files = _uploaded()
    except RequestEntityTooLarge:
        abort(413, description=_too_large())
    if not files:
        return _render_scans(campaign, campaigns, error=NO_FILES, status=400)
    try:
        outcomes = intake.take_scans(files, campaign, acting_user(),
                              dpi=int(current_app.config["SCAN_DPI"]),
                              max_pages=int(current_app.config["SCAN_MAX_PAGES"]))
    except intake.UploadRefused as refused:
        return _render_scans(campaign, campaigns, error=str(refused), status=422)
    return _render_scans(campaign, campaigns, outcomes=outcomes)


def _render_review(page: ScanPage, *, values: dict[str, str], problems: list[Problem],
                   status: int = 200):
    questions = review.review_questions(page)
    comment_question = next((q for q in instrument_of(page.campaign.instrument_version).profile
                             if q.code == COMMENT), None)
    if page.state is ScanState.COMMENT and COMMENT not in values:
        values = {**values, COMMENT: page.response.comment or ""}
    return render_template(
        "staff/scan_review.html", page=page, questions=questions, values=values,
        problems=problems, notes={p.field: p.message for p in problems},
        serial=display_serial(page.sheet.serial), form=ActionForm(),
        pages=int((page.sheet.batch.layout or {}).get("pages_per_sheet", 1)),
        comment_question=comment_question, states=ScanState), status


@roles_required(*UNIT_WORK)
def scan_review(scan_id: int):
    """One waiting page: only its uncertain questions, each with the crop of its row."""
    page = get_in_scope(ScanPage, scan_id)
    return _render_review(page, values={}, problems=[])


@roles_required(*UNIT_WORK)
def scan_review_save(scan_id: int):
    """Save the decisions (Enter); the sheet is stored once all its pages are decided."""
    page = get_in_scope(ScanPage, scan_id)
    campaign_id, campaign_code = page.campaign_id, page.campaign.code
    try:
        saved = review.save_review(scan_id, request.form, acting_user())
    except EntryRefused as refused:
        _values, _comment, raw, _problems = review.read_review(page, request.form)
        return _render_review(page, values=raw, problems=refused.problems, status=422)
    flash(saved.message, saved.category)
    following = review.next_waiting(current_user, campaign_id, scan_id)
    if following is not None:
        return redirect(url_for("staff.scan_review", scan_id=following), 303)
    return redirect(url_for("staff.scans", campaign=campaign_code), 303)


@roles_required(*UNIT_WORK)
def scan_discard(scan_id: int):
    """Remove a waiting page (to scan it again, or to type the sheet by hand)."""
    page = get_in_scope(ScanPage, scan_id)
    campaign_code = page.campaign.code
    flash(review.discard_page(scan_id, acting_user()), "success")
    return redirect(url_for("staff.scans", campaign=campaign_code), 303)


@roles_required(*UNIT_WORK)
def scan_crop(scan_id: int, code: str):
    """The crop of one question's row (or of the comment box) of a waiting page."""
    page = get_in_scope(ScanPage, scan_id)
    png = review.crop_of(page, code)
    if png is None:
        abort(404)
    return Response(png, mimetype="image/png",
                    headers={"Cache-Control": "private, no-store",
                             "Content-Disposition": "inline"})
