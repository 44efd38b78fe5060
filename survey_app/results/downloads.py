"""Downloads (XLSX, CSV, PDF) and the admin's "Phê duyệt kết quả" action."""

from __future__ import annotations

import io
import tempfile
from typing import BinaryIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from sqlalchemy import select

from ..auth import ALL_STAFF, acting_user, roles_required
from ..campaign_choice import chosen_campaign
from ..domain.campaigns.campaign_scope import visible_campaigns
from ..domain.results import approval, background, presented
from ..domain.results.cuts import CUTS
from ..domain.results.exports import FORMATS, write_export
from ..domain.results.exports.raw_responses import raw_response_rows
from ..errors import DomainError
from ..extensions import db
from ..models import Campaign, ResultSnapshot, Role
from ..support.dates import local_date, today_local
from . import preparing
from .forms import ApproveForm

#: What approval computes (``approval.approve``): every cut, the levels and the counted
#: responses.
APPROVAL_PARTS = background.parts_of(by="field", cuts=CUTS, fingerprint=True, levels=True)
#: Up to this size a download is built in memory, beyond it in a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024


@roles_required(*ALL_STAFF)
def download(fmt: str):
    """The results as a file; an approved campaign's stored file, byte for byte."""
    if fmt not in FORMATS:
        abort(404)
    user = acting_user()
    campaign = chosen_campaign(visible_campaigns(user))
    if campaign is None:
        abort(404)
    by = request.args.get("by") or None
    if by is not None and by not in CUTS:
        abort(400, description="Cách chia không hợp lệ.")
    raw = request.args.get("raw") == "1"
    if raw and (fmt != "xlsx" or user.role is not Role.ADMIN):
        abort(403)
    mimetype = FORMATS[fmt].mimetype
    name = file_name(campaign, fmt, by=by, raw=raw)
    snapshot = presented.snapshot_of(campaign)
    if snapshot is not None and by is None and not raw and not presented.is_scoped(user):
        stored = approval.snapshot_file(snapshot, fmt)
        if stored is not None:
            name = file_name(campaign, fmt, snapshot=snapshot)
            return send_file(io.BytesIO(stored), mimetype=mimetype, as_attachment=True,
                             download_name=name, etag=False)
    levels = fmt == "xlsx"  # the workbook's level sheets; the CSV and PDF have none
    waiting = preparing.prepared(campaign, background.parts_of(by=by, levels=levels),
                                 gettext("Đang chuẩn bị tệp tải về"))
    if waiting is not None:
        return waiting
    results = presented.scoped(presented.campaign_results(campaign, by=by, levels=levels),
                               user)
    rows = raw_response_rows(campaign) if raw else None
    # Built before the first byte goes out (the database is read inside the request), in
    # a spooled file: memory stays bounded, the reply streams from the file in chunks.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 — closed below
    try:
        write_export(results, fmt, spool, raw_rows=rows)
        size = spool.tell()
        spool.seek(0)
        if size <= SPOOL_BYTES:  # still in memory: hand over the bytes, nothing left open
            body: BinaryIO = io.BytesIO(spool.read())
            spool.close()
        else:  # on disk: send_file streams it and closes it when the reply is closed
            body = spool
    except BaseException:
        spool.close()
        raise
    return send_file(body, mimetype=mimetype, as_attachment=True, download_name=name,
                     etag=False)


def file_name(campaign: Campaign, fmt: str, *, by: str | None = None, raw: bool = False,
              snapshot: ResultSnapshot | None = None) -> str:
    """A name that says what the file is: campaign, kind, date (the approval's or today's),
    e.g. ``ket-qua-2026-huyen-theo-linh-vuc-2026-12-03.xlsx``."""
    if snapshot is not None:
        kind, day = f"phe-duyet-v{snapshot.version}", local_date(snapshot.approved_at)
    else:
        kind = "du-lieu-tho" if raw else (f"theo-{CUTS[by].slug}" if by else "tong-hop")
        day = today_local()
    return f"ket-qua-{campaign.code}-{kind}-{day:%Y-%m-%d}.{FORMATS[fmt].extension}"


@roles_required(Role.ADMIN)
def approve():
    """Freeze the closed campaign's results as an approved snapshot."""
    form = ApproveForm()
    if not form.validate_on_submit():
        abort(400)
    code = form.campaign.data or ""
    campaign = None if "\x00" in code else db.session.scalar(
        select(Campaign).where(Campaign.code == code))
    if campaign is None:
        abort(404)
    user = acting_user()
    if _first_click() and approval.approval_refusal(campaign, user) is None:
        # From the results page: say what approving means before doing it (once every
        # part approval stores is computed: a progress page meanwhile).
        waiting = preparing.prepared(campaign, APPROVAL_PARTS, gettext("Chuẩn bị phê duyệt"))
        return waiting or _confirm_flagged(campaign, approval.unreviewed_flagged(campaign.id),
                                           form)
    if form.shown.data and form.shown.data != background.current_key(campaign):
        # The numbers changed since the question was shown: ask again, with the new ones.
        return _confirm_flagged(campaign, approval.unreviewed_flagged(campaign.id), form,
                                changed=True)
    try:
        snapshot = approval.approve(campaign, user,
                                    confirmed_flagged=form.confirmed_flagged())
    except approval.FlaggedNotReviewed as waiting:
        db.session.rollback()
        return _confirm_flagged(campaign, waiting.count, form)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        flash(f"Đã phê duyệt kết quả đợt “{campaign.code}” (phiên bản {snapshot.version}).",
              "success")
    return redirect(url_for("results.index", campaign=campaign.code))


def _first_click() -> bool:
    """The post comes from the results page's button, not from the question: the question
    always sends the number of flagged responses it showed ("0" too); an empty one is no
    answer to it."""
    return not request.form.get("flagged")


def _confirm_flagged(campaign: Campaign, waiting: int, form: ApproveForm,
                     changed: bool = False):
    """The question before approving: it cannot be undone, the units still short of their
    sample, and the flagged responses not reviewed (whose number must be confirmed)."""
    if changed:
        error, status = gettext("Số liệu của đợt đã thay đổi kể từ khi câu hỏi này hiện ra; "
                                "kết quả chưa được phê duyệt. Vui lòng xem lại và xác nhận "
                                "lại."), 409
    elif _first_click():  # from the results page: the question itself
        error, status = None, 200
    elif not form.confirm_flagged.data:
        error, status = "Chưa đánh dấu ô xác nhận; kết quả chưa được phê duyệt.", 422
    else:
        error, status = (f"Số phiếu bị gắn cờ chưa xem xét đã thay đổi, nay còn {waiting} "
                         "phiếu; vui lòng xác nhận lại."), 409
    return render_template(
        "results/approve_confirm.html", campaign=campaign, waiting=waiting, error=error,
        warning=approval.flagged_warning(waiting), provisional=_provisional_units(campaign),
        form=ApproveForm(formdata=None, campaign=campaign.code, flagged=str(waiting),
                         shown=background.current_key(campaign))), status


def _provisional_units(campaign: Campaign) -> list[str]:
    """The units that would be approved short of their required sample (not ranked)."""
    results = presented.campaign_results(campaign)
    return [str(unit.get("unit_name")) for unit in results.get("units") or []
            if unit.get("provisional")]
