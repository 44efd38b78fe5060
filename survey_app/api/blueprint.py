"""The API blueprint object and the flask-smorest ``Api`` that documents it (OpenAPI 3.1).

The views (``campaigns``, ``units``, ``responses``) declare their schemas with this blueprint's
decorators (``@bp.arguments``, ``@bp.response``): flask-smorest reads the schemas from them,
so the decorators must be applied where the views are defined. The URL rules themselves are
all in ``routes.py``, the blueprint's routing table, which imports this object.
"""

from __future__ import annotations

import http
from collections.abc import Callable
from typing import Any

from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from flask_smorest import Api, Blueprint
from flask_smorest.utils import prepare_response

from .problems import MEDIA_TYPE
from .schemas import ProblemSchema

bp = Blueprint("api", __name__, description="JSON API v1")

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"
SECURITY_SCHEME = "bearerAuth"
DESCRIPTION = (
    "API JSON của nền tảng khảo sát sự hài lòng (SIPAS). Xác thực bằng mã truy cập cá nhân "
    "(`Authorization: Bearer ks_…`) tạo ở trang “Mã truy cập API” của tài khoản cán bộ; mã có "
    "đúng quyền của tài khoản. Lỗi trả về dạng `application/problem+json` bằng tiếng Việt "
    "(`title`, `detail`) và tiếng Anh (`title_en`, `detail_en`), với mã lỗi `code`.\n\n"
    "The survey platform's JSON API. Authenticate with a personal token (`Authorization: "
    "Bearer ks_…`) made on the staff account's “API tokens” page; a token may do what its "
    "account may. Errors are `application/problem+json` in Vietnamese and English with a "
    "machine-readable `code`. Every list takes `since=` for incremental polling.")


class SurveyApi(Api):
    """flask-smorest's Api, answering problem documents and touching nothing outside /api."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        """Nothing app-wide: ``error_pages`` sends /api errors to ``problems`` (the rest of
        the site keeps its HTML error pages)."""

    def _register_responses(self) -> None:
        """Every error response is a problem document (``application/problem+json``)."""
        for status in http.HTTPStatus:
            if status < 400:
                continue
            response = {"description": status.phrase, "schema": self.ERROR_SCHEMA}
            prepare_response(response, self.spec, MEDIA_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Lỗi / error (application/problem+json)",
                    "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, MEDIA_TYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


def problems(*statuses: int) -> Callable[[Any], Any]:
    """Document the problem responses an operation may give (besides 401 and 429)."""
    def decorate(view: Any) -> Any:
        for status in (*statuses, 429, 401):
            view = bp.alt_response(status, response=http.HTTPStatus(status).name)(view)
        return view
    return decorate


def init_app(app: Flask) -> SurveyApi:
    """Register the blueprint under /api and build its OpenAPI document for this app."""
    app.config.setdefault("API_TITLE", "Khảo sát sự hài lòng — API")
    app.config.setdefault("API_VERSION", API_VERSION)
    app.config.setdefault("OPENAPI_VERSION", OPENAPI_VERSION)
    # The document is served by our own route (routes.py), not by flask-smorest's blueprint.
    app.config.setdefault("OPENAPI_URL_PREFIX", None)
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": DESCRIPTION},
        "servers": [{"url": "/", "description": "this server"}],
        "security": [{SECURITY_SCHEME: []}],
    })
    # Vietnamese as it is written in JSON answers (only the API uses the app's JSON provider).
    app.json.ensure_ascii = False
    api = SurveyApi(app, spec_kwargs={"marshmallow_plugin": MarshmallowPlugin()})
    api.spec.components.security_scheme(SECURITY_SCHEME, {
        "type": "http", "scheme": "bearer", "bearerFormat": "ks_…",
        "description": "Mã truy cập API / personal API token"})
    api.register_blueprint(bp, url_prefix="/api")
    app.extensions["survey-api"] = api
    return api
