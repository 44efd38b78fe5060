"""Errors of the JSON API as ``application/problem+json`` (RFC 9457), in Vietnamese and English.

Every error under ``/api/`` — a refusal of a view, a route that does not exist, a body too
large, a rate limit, even an unexpected failure — is a problem document, never an HTML page:

    {"type": "/api/v1/docs#problem-submission_conflict", "status": 409,
     "code": "submission_conflict", "title": "…", "detail": "…",
     "title_en": "…", "detail_en": "…", "instance": "/api/v1/…"}

``code`` is the machine-readable reason (stable; listed in docs/api.md), ``title``/``detail``
are Vietnamese, ``title_en``/``detail_en`` English. Validation problems add ``errors``.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, json, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
API_PREFIX = "/api/"

#: status → (code, Vietnamese title, English title, Vietnamese detail, English detail).
STATUS_TEXTS: dict[int, tuple[str, str, str, str, str]] = {
    400: ("bad_request", "Yêu cầu không hợp lệ", "Bad request",
          "Yêu cầu gửi lên không đúng định dạng.", "The request is malformed."),
    401: ("unauthorized", "Chưa xác thực", "Authentication required",
          "Cần mã truy cập API hợp lệ trong tiêu đề “Authorization: Bearer …”. Tạo mã ở trang "
          "“Mã truy cập API” của tài khoản cán bộ.",
          "A valid API token is required in the “Authorization: Bearer …” header. Create one "
          "on the staff account's “API tokens” page."),
    403: ("forbidden", "Không có quyền truy cập", "Forbidden",
          "Tài khoản của mã truy cập này không được phép xem hoặc sửa nội dung này.",
          "The account of this token may not read or change this."),
    404: ("not_found", "Không tìm thấy", "Not found",
          "Không có nội dung ở địa chỉ này, hoặc tài khoản không được xem nó.",
          "Nothing is at this address, or the account may not see it."),
    405: ("method_not_allowed", "Thao tác không được hỗ trợ", "Method not allowed",
          "Địa chỉ này không nhận phương thức vừa gửi.",
          "This address does not accept the method used."),
    406: ("not_acceptable", "Không trả được định dạng yêu cầu", "Not acceptable",
          "API chỉ trả về JSON.", "The API answers in JSON only."),
    409: ("conflict", "Dữ liệu bị xung đột", "Conflict",
          "Yêu cầu xung đột với dữ liệu đã có.", "The request conflicts with stored data."),
    413: ("payload_too_large", "Dữ liệu quá lớn", "Payload too large",
          "Nội dung gửi lên vượt quá giới hạn cho phép.",
          "The request body is larger than allowed."),
    415: ("unsupported_media_type", "Định dạng không được hỗ trợ", "Unsupported media type",
          "Nội dung phải là JSON (Content-Type: application/json).",
          "The body must be JSON (Content-Type: application/json)."),
    422: ("validation_error", "Dữ liệu không hợp lệ", "Unprocessable content",
          "Một số giá trị gửi lên không hợp lệ; xem “errors”.",
          "Some values sent are not valid; see “errors”."),
    429: ("rate_limited", "Quá nhiều yêu cầu", "Too many requests",
          "Mã truy cập hoặc địa chỉ này gửi quá nhiều yêu cầu. Vui lòng chờ một lát rồi thử "
          "lại.", "Too many requests from this token or address. Wait a moment and retry."),
    500: ("server_error", "Lỗi hệ thống", "Internal server error",
          "Đã có lỗi ngoài ý muốn; dữ liệu chưa được ghi nhận. Vui lòng thử lại sau.",
          "An unexpected error occurred; nothing was stored. Please retry later."),
}

#: Machine codes beyond the per-status ones, for docs/api.md and the docs page.
CODES: dict[str, str] = {
    "token_missing": "401 — no “Authorization: Bearer” header",
    "token_invalid": "401 — unknown, revoked or malformed token, or its account is locked",
    "forbidden": "403 — the token's account may not do this",
    "not_found": "404 — no such campaign, unit or address (or not visible to the account)",
    "validation_error": "422 — a parameter or a field of the body is not valid (see errors)",
    "invalid_cursor": "422 — the cursor was not given by this API",
    "answers_refused": "422 — the answers break a rule of the questionnaire (see errors)",
    "submission_conflict": "409 — this submission key was used with other answers",
    "submission_key_reused": "409 — this submission key was used for another campaign or unit",
    "campaign_not_accepting": "409 — the campaign does not take responses for this unit now",
    "results_unavailable": "409 — the results cannot be computed (see detail)",
    "payload_too_large": "413 — the body is larger than allowed",
    "rate_limited": "429 — too many requests; retry after Retry-After seconds",
}


class ApiProblem(HTTPException):
    """An API refusal with a machine code and texts in both languages."""

    def __init__(self, status: int, code: str | None = None, *, detail: str | None = None,
                 detail_en: str | None = None, title: str | None = None,
                 title_en: str | None = None, errors: Any = None,
                 headers: dict[str, str] | None = None):
        base = STATUS_TEXTS.get(status, STATUS_TEXTS[400])
        self.code = status
        self.problem_code = code or base[0]
        self.title = title or base[1]
        self.title_en = title_en or base[2]
        self.detail = detail or base[3]
        self.detail_en = detail_en or base[4]
        self.errors = errors
        self.extra_headers = headers or {}
        super().__init__(description=self.detail)

    def get_response(self, environ=None, scope=None) -> Response:
        return problem_response(self.code, self.problem_code, title=self.title,
                                title_en=self.title_en, detail=self.detail,
                                detail_en=self.detail_en, errors=self.errors,
                                headers=self.extra_headers)


def is_api_request() -> bool:
    """Whether the request is for the JSON API (its errors are problem documents)."""
    return request.path.startswith(API_PREFIX) or request.path == API_PREFIX.rstrip("/")


def problem_response(status: int, code: str | None = None, *, title: str | None = None,
                     title_en: str | None = None, detail: str | None = None,
                     detail_en: str | None = None, errors: Any = None,
                     headers: dict[str, str] | None = None) -> Response:
    base = STATUS_TEXTS.get(status) or STATUS_TEXTS[500 if status >= 500 else 400]
    code = code or base[0]
    body: dict[str, Any] = {
        "type": f"/api/v1/docs#problem-{code}", "status": status, "code": code,
        "title": title or base[1], "detail": detail or base[3],
        "title_en": title_en or base[2], "detail_en": detail_en or base[4],
        "instance": request.path,
    }
    if errors is not None:
        body["errors"] = errors
    response = Response(json.dumps(body, ensure_ascii=False), status=status,
                        mimetype=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_http_exception(error: HTTPException) -> Response:
    """Any HTTP error raised under /api (a view's abort, routing, Flask-Limiter, webargs)."""
    if isinstance(error, ApiProblem):
        return error.get_response()
    status = error.code or 500
    headers: dict[str, str] = {}
    errors = None
    data = getattr(error, "data", None) or {}
    if status == 422 and "messages" in data:  # webargs: {location: {field: [messages]}}
        errors = data["messages"]
    if status == 405:
        allowed = getattr(error, "valid_methods", None)
        if allowed:
            headers["Allow"] = ", ".join(sorted(allowed))
    if status == 429:
        headers["Retry-After"] = str(_retry_after(error))
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    if status >= 500:
        original = getattr(error, "original_exception", None)
        log.error("unhandled error under /api", exc_info=original or error)
    return problem_response(status, errors=errors, headers=headers)


def _retry_after(error: HTTPException) -> int:
    """Seconds until the exhausted rate-limit window resets (at least 1)."""
    limit = getattr(error, "limit", None)
    try:
        return max(1, int(limit.limit.get_expiry()))  # Flask-Limiter's RateLimitExceeded
    except (AttributeError, TypeError, ValueError):
        return 60
