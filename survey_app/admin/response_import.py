"""Importing responses on the campaign page: upload, check (every problem or a preview),
confirm, a progress bar while it runs, the result.

The checked file waits for its confirmation in the import folder (``IMPORT_FOLDER``, by default
``instance/imports``) under a random name that is also kept in the person's session, with a
record of who uploaded it for which campaign and its SHA-256: the confirmation reads only a
name its own session holds, of the right shape, and a file whose hash still matches. The
record also carries the import's progress (read by the page's progress bar) and its result.
Files are removed once imported, and any left behind after a day.
The rules themselves are those of ``flask import-responses``: ``domain/submissions/importing``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time
from pathlib import Path

from flask import (
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge

from ..auth import acting_user
from ..domain.submissions.importing import (
    CampaignFrozen,
    ImportRejected,
    check_import,
    import_responses,
)
from ..errors import DomainError
from ..extensions import csrf, db
from ..models import Campaign, Response, ResponseStatus, Unit
from ..support.formatting import count_text
from ..support.text import clean_text
from .common import CONFLICT, admin_only, managed_campaign
from .forms import ActionForm

#: Shown when the upload's CSRF token is missing or expired (nothing is read then).
EXPIRED = ("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang và "
           "chọn lại tệp.")
NO_FILE = "Vui lòng chọn một tệp CSV hoặc Excel (.xlsx) để nhập."
GONE = ("Tệp đã kiểm tra không còn (đã nhập, đã quá một ngày, hoặc thuộc phiên làm việc khác)."
        " Vui lòng tải tệp lên lại.")
#: A random name of 32 hex digits: nothing else is ever joined to the folder's path.
TOKEN = re.compile(r"[0-9a-f]{32}")
SESSION_KEY = "response_imports"
#: Checked files a session keeps waiting at once (older ones are forgotten).
KEPT = 3
#: Files older than this are removed when the next file is uploaded.
MAX_AGE = 24 * 3600
#: Share of the progress bar the checking stage takes; storing takes the rest.
CHECK_SHARE = 40
#: A running import reports every ``CHUNK`` rows; silent this long, its worker was stopped
#: (the transaction then rolled back: nothing of the file stayed).
STALE_SECONDS = 120
INTERRUPTED = ("Việc nhập bị gián đoạn (máy chủ dừng giữa chừng); không phiếu nào của tệp được "
               "lưu. Vui lòng tải tệp lên lại.")


def _folder() -> Path:
    folder = Path(current_app.config.get("IMPORT_FOLDER") or
                  Path(current_app.instance_path) / "imports")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _paths(token: str) -> tuple[Path, Path]:
    """The waiting file and its record; only for a token of the right shape."""
    if not TOKEN.fullmatch(token):
        raise ValueError(token)
    folder = _folder()
    return folder / f"{token}.upload", folder / f"{token}.json"


def _read_record(token: str) -> dict | None:
    try:
        return json.loads(_paths(token)[1].read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return None


def _write_record(token: str, record: dict) -> None:
    """Replaced whole (a reader never sees half a record)."""
    path = _paths(token)[1]
    temporary = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
    temporary.write_text(json.dumps({**record, "updated": time.time()}, ensure_ascii=False),
                         encoding="utf-8")
    os.replace(temporary, path)


def _sweep() -> None:
    """Remove what an earlier upload left behind more than a day ago."""
    limit = time.time() - MAX_AGE
    for path in _folder().iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            continue


def size_text(size: int) -> str:
    """A byte count as staff read it: "8 MB", "64 kB"."""
    return f"{size // 2**20} MB" if size >= 2**20 else f"{size // 1024} kB"


def _too_large() -> str:
    limit = size_text(int(current_app.config["IMPORT_MAX_UPLOAD"]))
    return (f"Tệp tải lên quá lớn (tối đa {limit}). Vui lòng chia thành nhiều tệp nhỏ hơn "
            "và nhập từng tệp.")


def _page(campaign: Campaign, *, status: int = 200, **context):
    context.setdefault("problems", [])
    return render_template("admin/response_import.html", campaign=campaign,
                           form=ActionForm(), **context), status


@csrf.exempt  # checked below, once the upload's own size limit is in force
@admin_only
def import_check(campaign_id: int):
    """Check an uploaded file: every problem by line and column, or what would be imported."""
    campaign = managed_campaign(campaign_id)
    request.max_content_length = int(current_app.config["IMPORT_MAX_UPLOAD"])
    try:
        if not ActionForm().validate_on_submit():
            abort(400, description=EXPIRED)
        upload = request.files.get("file")
        data = upload.read() if upload is not None else b""
    except RequestEntityTooLarge:
        abort(413, description=_too_large())
    if not data:
        return _page(campaign, error=NO_FILE, status=400)
    name = clean_text(upload.filename or "")[:200] or "tệp tải lên"
    try:
        preview = check_import(campaign, data)
    except ImportRejected as rejected:
        return _page(campaign, error=str(rejected), problems=rejected.problems, name=name,
                     status=422)
    except CampaignFrozen as frozen:
        return _page(campaign, error=str(frozen), name=name, status=409)
    if not preview.new:  # nothing to confirm: nothing is kept
        return _page(campaign, preview=preview, name=name)
    _sweep()
    token = secrets.token_hex(16)
    upload_path, _ = _paths(token)
    upload_path.write_bytes(data)
    _write_record(token, {"user": acting_user().id, "campaign": campaign.id, "name": name,
                          "sha256": hashlib.sha256(data).hexdigest(), "state": "checked",
                          "rows": preview.rows})
    kept = [t for t in session.get(SESSION_KEY, []) if TOKEN.fullmatch(str(t))][-(KEPT - 1):]
    session[SESSION_KEY] = [*kept, token]
    return _page(campaign, preview=preview, name=name, token=token)


def _waiting(campaign: Campaign, token: str) -> tuple[dict, bytes]:
    """The record and bytes of a checked file of this session, user and campaign, unchanged
    since it was checked; otherwise the request is refused."""
    if not TOKEN.fullmatch(token) or token not in session.get(SESSION_KEY, []):
        abort(400, description=GONE)
    record = _read_record(token)
    if record is None or record.get("user") != acting_user().id \
            or record.get("campaign") != campaign.id or record.get("state") != "checked":
        abort(400, description=GONE)
    try:
        data = _paths(token)[0].read_bytes()
    except OSError:
        abort(400, description=GONE)
    if hashlib.sha256(data).hexdigest() != record.get("sha256"):
        abort(400, description=GONE)
    return record, data


def _progress_writer(token: str, record: dict):
    def report(stage: str, done: int, total: int) -> None:
        share = done / total if total else 1.0
        percent = CHECK_SHARE * share if stage == "check" else \
            CHECK_SHARE + (100 - CHECK_SHARE) * share
        _write_record(token, {**record, "state": "running", "stage": stage, "done": done,
                              "total": total, "percent": round(percent)})
    return report


@admin_only
def import_confirm(campaign_id: int):
    """Import the checked file, in one transaction; then the result page (303)."""
    campaign = managed_campaign(campaign_id)
    if not ActionForm().validate_on_submit():
        abort(400, description=EXPIRED)
    token = str(request.form.get("upload", ""))
    record, data = _waiting(campaign, token)
    _write_record(token, {**record, "state": "running", "stage": "check", "done": 0,
                          "total": record.get("rows", 0), "percent": 0})
    refusal, problems, status = None, [], 200
    try:
        result = import_responses(campaign, data, source=record["name"], user=acting_user(),
                                  progress=_progress_writer(token, record))
    except ImportRejected as rejected:
        refusal, problems, status = str(rejected), rejected.problems, 422
    except DomainError as refused:
        refusal, status = str(refused), 409
    except IntegrityError:
        db.session.rollback()
        refusal, status = CONFLICT, 409
    except BaseException:
        _write_record(token, {**record, "state": "failed", "message": "Lỗi hệ thống."})
        raise
    _paths(token)[0].unlink(missing_ok=True)
    session[SESSION_KEY] = [t for t in session.get(SESSION_KEY, []) if t != token]
    if refusal is not None:
        _write_record(token, {**record, "state": "failed", "message": refusal})
        return _page(campaign, error=refusal, problems=problems, name=record["name"],
                     status=status)
    _write_record(token, {**record, "state": "done", "percent": 100,
                          "result": {"imported": result.imported,
                                     "already_present": result.already_present,
                                     "invalid": result.invalid}})
    return redirect(url_for("admin.import_result", campaign_id=campaign.id, upload=token), 303)


def _own_record(campaign: Campaign) -> tuple[str, dict]:
    token = str(request.args.get("upload", ""))
    record = _read_record(token) if TOKEN.fullmatch(token) else None
    if record is None or record.get("user") != acting_user().id \
            or record.get("campaign") != campaign.id:
        abort(404)
    return token, record


@admin_only
def import_progress(campaign_id: int):
    """How far the import is, for the progress bar (JSON)."""
    _token, record = _own_record(managed_campaign(campaign_id))
    state = record.get("state", "checked")
    if state == "running" and time.time() - float(record.get("updated", 0)) > STALE_SECONDS:
        state, record = "failed", {**record, "message": INTERRUPTED}
    done, total = int(record.get("done", 0)), int(record.get("total", 0))
    stage = record.get("stage")
    if state == "done":
        text = "Đã nhập xong."
    elif state == "failed":
        text = record.get("message") or "Không nhập được."
    elif stage == "store":
        text = f"Đang ghi phiếu {count_text(done)}/{count_text(total)}…"
    elif state == "running":
        text = f"Đang kiểm tra dòng {count_text(done)}/{count_text(total)}…"
    else:
        text = "Đang chờ xác nhận."
    return jsonify(state=state, stage=stage, done=done, total=total,
                   percent=int(record.get("percent", 0)), text=text)


@admin_only
def import_result(campaign_id: int):
    """What the import stored, and the campaign's responses per unit now."""
    campaign = managed_campaign(campaign_id)
    _token, record = _own_record(campaign)
    if record.get("state") != "done":
        abort(404)
    valid = func.sum(case((Response.status == ResponseStatus.VALID, 1), else_=0))
    units = db.session.execute(
        select(Unit.name, func.count(Response.id), valid)
        .join(Response, Response.unit_id == Unit.id)
        .where(Response.campaign_id == campaign.id)
        .group_by(Unit.id, Unit.name).order_by(Unit.name)).all()
    return render_template("admin/response_import_result.html", campaign=campaign,
                           name=record["name"], result=record["result"], units=units)
