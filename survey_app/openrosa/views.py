"""The OpenRosa endpoints of one campaign at one unit: form list, form, manifest, submission.

Every request authenticates with the collector's staff account over HTTP Basic (ODK Collect
sends it only over HTTPS); there is no session and no cookie. The order of the checks
follows ODK Central's: the protocol header (submission), the body's size, the account, the
campaign and unit, then the instance itself.
"""

from __future__ import annotations

import logging

from flask import Response, current_app, request, url_for
from werkzeug.exceptions import HTTPException

from ..auth import UNIT_WORK, can_see_unit
from ..domain.accounts import sign_in
from ..domain.submissions import openrosa
from ..domain.submissions.openrosa import InstanceRefused, ODKForm
from ..errors import DomainError
from ..models import User
from ..support.dates import parse_when, today_local
from . import replies

log = logging.getLogger(__name__)

#: The multipart field holding the instance (OpenRosa Form Submission API).
SUBMISSION_FIELD = "xml_submission_file"
CHALLENGE = 'Basic realm="khaosat", charset="UTF-8"'
#: Messages for the errors raised by Werkzeug or Flask inside these views.
HTTP_MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    401: "Cần đăng nhập bằng tài khoản cán bộ.",
    403: "Tài khoản không được phép dùng địa chỉ này.",
    404: "Không tìm thấy địa chỉ này trên máy chủ khảo sát.",
    405: "Địa chỉ này không nhận thao tác vừa gửi.",
    413: "Nội dung gửi lên lớn hơn giới hạn của máy chủ.",
    429: "Quá nhiều yêu cầu; vui lòng chờ một lát rồi thử lại.",
    500: "Lỗi hệ thống: phiếu chưa được ghi nhận; vui lòng gửi lại sau ít phút.",
}


class OpenRosaError(Exception):
    """A refusal answered as an OpenRosa message with its status (and extra headers)."""

    def __init__(self, status: int, text: str, headers: dict[str, str] | None = None):
        super().__init__(text)
        self.status = status
        self.headers = headers or {}


def refusal(error: OpenRosaError):
    response = replies.message(str(error), error.status, error=True)
    response.headers.update(error.headers)
    return response


def instance_refused(error: InstanceRefused):
    return replies.message(str(error), error.status, error=True)


def domain_error(error: DomainError):
    return replies.message(str(error), 409, error=True)


def http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if error.code >= 500:
        log.error("unhandled error", exc_info=getattr(error, "original_exception", None))
    # A message of our own (``abort(400, description="…")``) is kept; Werkzeug's English
    # default is replaced.
    custom = error.description if error.description != type(error).description else None
    if error.code == 413:
        custom = _too_large()
    return replies.message(custom or HTTP_MESSAGES.get(error.code, HTTP_MESSAGES[400]),
                           error.code, error=True)


def routing_error(status: int):
    """The refusal of an address under the prefix that matches no endpoint."""
    return replies.message(HTTP_MESSAGES.get(status, HTTP_MESSAGES[400]), status, error=True)


def _too_large() -> str:
    limit = int(current_app.config["OPENROSA_MAX_BODY"])
    return (f"Phiếu gửi lên lớn hơn giới hạn {limit:,} byte của máy chủ (biểu mẫu khảo sát "
            "không có ảnh hay ghi âm).").replace(",", ".")


def _require_protocol() -> None:
    """The Form Submission API asks clients for ``X-OpenRosa-Version: 1.0``."""
    if request.headers.get("X-OpenRosa-Version", "").strip() != "1.0":
        raise OpenRosaError(400, "Thiếu tiêu đề X-OpenRosa-Version: 1.0 (máy chủ OpenRosa "
                                 "dành cho ODK Collect, KoboCollect, Enketo).")


def _collector() -> User:
    """The staff account of the request's HTTP Basic credentials, allowed to collect."""
    if current_app.config["PRODUCTION"] and not request.is_secure:
        raise OpenRosaError(403, "Máy chủ chỉ nhận đăng nhập qua HTTPS: hãy dùng địa chỉ "
                                 "bắt đầu bằng https:// trong cài đặt máy chủ của ODK Collect.")
    credentials = request.authorization
    if credentials is None or credentials.type != "basic" or not credentials.username:
        raise OpenRosaError(401, "Cần đăng nhập bằng tài khoản cán bộ (tên đăng nhập và mật "
                                 "khẩu trong cài đặt máy chủ của ODK Collect).",
                            {"WWW-Authenticate": CHALLENGE})
    outcome = sign_in.check_credentials(credentials.username, credentials.password or "",
                                        request.remote_addr)
    if outcome.throttle is not None:
        raise OpenRosaError(429, outcome.throttle.message,
                            {"Retry-After": str(outcome.throttle.seconds)})
    user = outcome.user
    if user is None:
        raise OpenRosaError(401, "Tên đăng nhập hoặc mật khẩu không đúng.",
                            {"WWW-Authenticate": CHALLENGE})
    if user.must_change_password:
        raise OpenRosaError(403, "Tài khoản đang dùng mật khẩu được cấp: hãy đăng nhập trang "
                                 "web của cán bộ, đặt mật khẩu của riêng bạn rồi nhập mật khẩu "
                                 "mới vào ODK Collect.")
    if user.role not in UNIT_WORK:
        raise OpenRosaError(403, "Tài khoản chỉ xem kết quả không gửi phiếu được.")
    return user


def _form(campaign_code: str, unit_code: str, user: User) -> ODKForm:
    """The campaign's form at the unit, if the account works for that unit."""
    form = openrosa.form_for(campaign_code, unit_code)
    if form is None:
        raise OpenRosaError(404, f"Không có đợt khảo sát “{campaign_code[:40]}” tại đơn vị "
                                 f"“{unit_code[:40]}” (hoặc đợt chưa mở). Kiểm tra địa chỉ máy "
                                 "chủ trong cài đặt của ODK Collect.")
    if not can_see_unit(form.unit.id, user):
        raise OpenRosaError(403, f"Tài khoản “{user.username}” không phụ trách {form.unit.name}.")
    return form


def _listed(form: ODKForm, campaign_code: str, unit_code: str) -> replies.ListedForm:
    names = {"campaign_code": campaign_code, "unit_code": unit_code, "form_id": form.form_id}
    return replies.ListedForm(
        form_id=form.form_id, name=form.title, version=form.version, md5=form.md5,
        description=form.description,
        download_url=url_for("openrosa.form_xml", **names, _external=True),
        manifest_url=url_for("openrosa.manifest", **names, _external=True))


def form_list(campaign_code: str, unit_code: str):
    """The forms to download: this campaign's, while it is open (``formID``, ``since``)."""
    user = _collector()
    form = _form(campaign_code, unit_code, user)
    wanted = request.args.get("formID", "")
    since_text = request.args.get("since")
    since = None
    if since_text is not None:
        since = parse_when(since_text)
        if since is None:
            raise OpenRosaError(400, f"Tham số since “{since_text[:40]}” không đọc được: dùng "
                                     "ISO 8601, ví dụ since=2026-05-01T00:00:00Z.")
    listed = (form.listed_on(today_local()) and wanted in ("", form.form_id)
              and (since is None or form.changed_at > since))
    return replies.form_list([_listed(form, campaign_code, unit_code)] if listed else [])


def _named_form(campaign_code: str, unit_code: str, form_id: str) -> ODKForm:
    form = _form(campaign_code, unit_code, _collector())
    if form_id != form.form_id:
        raise OpenRosaError(404, f"Biểu mẫu “{form_id[:80]}” không có ở địa chỉ này.")
    return form


def form_xml(campaign_code: str, unit_code: str, form_id: str):
    """The XForm, made by pyxform from the campaign's instrument and blocks."""
    return replies.xml_reply(_named_form(campaign_code, unit_code, form_id).xform)


def manifest(campaign_code: str, unit_code: str, form_id: str):
    """The form's media files: none."""
    _named_form(campaign_code, unit_code, form_id)
    return replies.empty_manifest()


def submission_check(campaign_code: str, unit_code: str):
    """``HEAD /submission`` (and GET, as ODK Central answers it): 204 with the size limit."""
    _require_protocol()
    _form(campaign_code, unit_code, _collector())
    response = Response(status=204)
    del response.headers["Content-Type"]  # no content, so no type either
    return response


def _instance_bytes(limit: int) -> bytes:
    part = request.files.get(SUBMISSION_FIELD)
    if part is not None:
        data = part.read(limit + 1)
    elif SUBMISSION_FIELD in request.form:
        data = request.form[SUBMISSION_FIELD].encode("utf-8")
    else:
        raise OpenRosaError(400, f"Thiếu trường {SUBMISSION_FIELD} (gửi phiếu dạng "
                                 "multipart/form-data, như ODK Collect).")
    if len(data) > limit:
        raise OpenRosaError(413, _too_large())
    return data


def submission(campaign_code: str, unit_code: str):
    """``POST /submission``: store the instance once; 201 also for a replay of the same XML.

    Other files of the request (attachments) are not read: the forms have no media question.
    """
    _require_protocol()
    limit = int(current_app.config["OPENROSA_MAX_BODY"])
    request.max_content_length = limit  # a longer body is refused while it is read
    if request.content_length is not None and request.content_length > limit:
        raise OpenRosaError(413, _too_large())
    user = _collector()
    form = _form(campaign_code, unit_code, user)
    if request.mimetype != "multipart/form-data":
        raise OpenRosaError(400, f"Thiếu trường {SUBMISSION_FIELD}: phiếu phải gửi dạng "
                                 "multipart/form-data (như ODK Collect).")
    instance = openrosa.read_instance(_instance_bytes(limit), form)
    accepted = openrosa.store(form, instance, user)
    if accepted.created:
        return replies.message("Đã nhận phiếu.", 201)
    return replies.message("Phiếu này đã được nhận trước đó (cùng instanceID, cùng nội dung); "
                           "không lưu thêm.", 201)
