"""Refusing at the door what no database can hold: NUL bytes and ids beyond an INTEGER.

PostgreSQL refuses text containing NUL and ids beyond its integer range (DataError), and
SQLite overflows on huge ids; rather than let a query deep in a view fail with a 500, such
requests get a 404 or a 400 with a clear message. Posted forms are not refused here: their
text is cleaned (``services.text.clean_text`` drops control characters) or checked by the
view that reads it, so what a person typed is shown again rather than lost.
"""

from __future__ import annotations

from flask import Flask, abort, request
from flask_babel import gettext
from werkzeug.routing import IntegerConverter

#: The largest value of an INTEGER column on PostgreSQL (SQLite's is larger).
MAX_ID = 2**31 - 1


class DatabaseId(IntegerConverter):
    """``<int:…>`` limited to what an INTEGER column holds: a larger id is a 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _carries_nul(values) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))


def refuse_nul_bytes() -> None:
    """404 for a NUL in the address, 400 for one in the query string."""
    if "\x00" in request.path:
        abort(404)
    if _carries_nul(request.args):
        abort(400, description=gettext("Địa chỉ có ký tự không hợp lệ (ký tự NUL). Vui lòng mở "
                                       "lại trang từ trình đơn."))


def init_app(app: Flask) -> None:
    """Before the blueprints are registered: their rules take the converter at that time."""
    app.url_map.converters["int"] = DatabaseId
    app.before_request(refuse_nul_bytes)
