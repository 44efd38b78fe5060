"""Downloads (XLSX, CSV, PDF) and the admin's "Phê duyệt kết quả" action."""

from __future__ import annotations

import io
import tempfile
from typing import BinaryIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth import ALL_STAFF, roles_required
from ..domain.results import approval
from ..domain.results.dimensions import BY_DIMENSIONS
from ..domain.results.exports import FORMATS, write_export
from ..domain.results.exports.raw_responses import raw_response_rows
from ..errors import DomainError
from ..extensions import db
from ..models import Campaign, Role
from . import data
from .forms import ApproveForm

#: Up to this size a download is built in memory, beyond it in a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024


@roles_required(*ALL_STAFF)
def download(fmt: str):
    """The results as a file; an approved campaign's stored file, byte for byte."""
    if fmt not in FORMATS:
        abort(404)
    campaign = data.chosen_campaign(data.visible_campaigns())
    if campaign is None:
        abort(404)
    by = request.args.get("by") or None
    if by is not None and by not in BY_DIMENSIONS:
        abort(400, description="Cách chia không hợp lệ.")
    raw = request.args.get("raw") == "1"
    if raw and (fmt != "xlsx" or current_user.role is not Role.ADMIN):
        abort(403)
    mimetype, extension = FORMATS[fmt]
    name = f"ket-qua-{campaign.code}.{extension}"
    snapshot = data.snapshot_of(campaign)
    if snapshot is not None and by is None and not raw and not data.is_scoped():
        stored = approval.snapshot_file(snapshot, fmt)
        if stored is not None:
            name = f"ket-qua-{campaign.code}-phe-duyet-v{snapshot.version}.{extension}"
            return send_file(io.BytesIO(stored), mimetype=mimetype, as_attachment=True,
                             download_name=name, etag=False)
    results = data.scoped(data.campaign_results(campaign, by=by))
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
    try:
        snapshot = approval.approve(campaign, current_user._get_current_object(),
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


def _confirm_flagged(campaign: Campaign, waiting: int, form: ApproveForm):
    """Approving with flagged responses unreviewed: say how many and ask to confirm it."""
    if "flagged" not in request.form:  # from the results page: the question itself
        error, status = None, 200
    elif not form.confirm_flagged.data:
        error, status = "Chưa đánh dấu ô xác nhận; kết quả chưa được phê duyệt.", 422
    else:
        error, status = (f"Số phiếu bị gắn cờ chưa xem xét đã thay đổi, nay còn {waiting} "
                         "phiếu; vui lòng xác nhận lại."), 409
    return render_template(
        "results/approve_confirm.html", campaign=campaign, waiting=waiting, error=error,
        warning=approval.flagged_warning(waiting),
        form=ApproveForm(formdata=None, campaign=campaign.code, flagged=str(waiting))), status
