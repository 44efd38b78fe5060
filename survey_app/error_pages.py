"""Friendly error pages (Vietnamese, English on request); no request ends in a stack trace.

They use the citizens' lean layout: a person who scanned a stale QR code on a slow phone
should not download the staff style sheet to read "not found".
"""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_babel import gettext, lazy_gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .api import problems
from .errors import DomainError

log = logging.getLogger(__name__)

MESSAGES = {
    400: (lazy_gettext("Yêu cầu không hợp lệ"),
          lazy_gettext("Dữ liệu gửi lên không đúng. Vui lòng quay lại và thử lại.")),
    403: (lazy_gettext("Không có quyền truy cập"),
          lazy_gettext("Tài khoản của bạn không được phép xem hoặc sửa nội dung này.")),
    404: (lazy_gettext("Không tìm thấy trang"),
          lazy_gettext("Đường dẫn không đúng hoặc đã hết hiệu lực. Nếu bạn quét mã QR tại quầy, "
                       "vui lòng báo cán bộ tại quầy.")),
    405: (lazy_gettext("Thao tác không được hỗ trợ"),
          lazy_gettext("Trang này không nhận thao tác vừa gửi.")),
    409: (lazy_gettext("Dữ liệu bị xung đột"),
          lazy_gettext("Nội dung này đã được ghi nhận trước đó với nội dung khác.")),
    410: (lazy_gettext("Không còn nhận"),
          lazy_gettext("Nội dung này không còn được nhận.")),
    413: (lazy_gettext("Dữ liệu quá lớn"),
          lazy_gettext("Nội dung gửi lên vượt quá giới hạn cho phép. Vui lòng rút ngắn và thử "
                       "lại.")),
    429: (lazy_gettext("Quá nhiều yêu cầu"),
          lazy_gettext("Bạn thao tác quá nhanh. Vui lòng chờ một lát rồi thử lại.")),
    500: (lazy_gettext("Lỗi hệ thống"),
          lazy_gettext("Đã có lỗi ngoài ý muốn. Dữ liệu chưa được ghi nhận; vui lòng thử lại "
                       "sau ít phút.")),
}


def render_error(status: int, detail: str | None = None):
    """The error page for ``status``, with an optional more specific message."""
    title, message = MESSAGES.get(status, MESSAGES[400])
    return render_template("error.html", status=status, title=title,
                           message=detail or message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if problems.is_api_request():  # the JSON API answers problem documents, never pages
            return problems.from_http_exception(error)
        # A view's own message (``abort(400, description="…")``) is shown; Werkzeug's
        # English default is replaced by ours.
        custom = error.description if error.description != type(error).description else None
        return render_error(error.code, custom)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(400, gettext("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. "
                                         "Vui lòng tải lại trang và gửi lại."))

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        if problems.is_api_request():
            return problems.problem_response(409, detail=str(error))
        return render_error(409, str(error))

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        if problems.is_api_request():
            return problems.from_http_exception(error)
        log.error("unhandled error", exc_info=error.original_exception)
        return render_error(500)
