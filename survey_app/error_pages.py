"""Friendly Vietnamese error pages; no request ever ends in a bare stack trace."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .errors import DomainError

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Yêu cầu không hợp lệ", "Dữ liệu gửi lên không đúng. Vui lòng quay lại và thử lại."),
    403: ("Không có quyền truy cập", "Tài khoản của bạn không được phép xem hoặc sửa nội dung "
                                     "này."),
    404: ("Không tìm thấy trang", "Đường dẫn không đúng hoặc đã hết hiệu lực. Nếu bạn quét mã QR "
                                  "tại quầy, vui lòng báo cán bộ tại quầy."),
    405: ("Thao tác không được hỗ trợ", "Trang này không nhận thao tác vừa gửi."),
    409: ("Dữ liệu bị xung đột", "Nội dung này đã được ghi nhận trước đó với nội dung khác."),
    413: ("Dữ liệu quá lớn", "Nội dung gửi lên vượt quá giới hạn cho phép. Vui lòng rút ngắn và "
                             "thử lại."),
    429: ("Quá nhiều yêu cầu", "Bạn thao tác quá nhanh. Vui lòng chờ một lát rồi thử lại."),
    500: ("Lỗi hệ thống", "Đã có lỗi ngoài ý muốn. Dữ liệu chưa được ghi nhận; vui lòng thử lại "
                          "sau ít phút."),
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
        return render_error(error.code)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(400, "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng "
                                 "tải lại trang và gửi lại.")

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return render_error(409, str(error))

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        log.error("unhandled error", exc_info=error.original_exception)
        return render_error(500)
