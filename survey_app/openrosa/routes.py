"""Routing table of the openrosa blueprint: the OpenRosa 1.0 server of each campaign and unit.

ODK Collect's server address is ``<base>/openrosa/<campaign code>/<unit code>``; the client
adds ``/formList`` and ``/submission`` itself, and follows the form list's download and
manifest addresses.
"""

from __future__ import annotations

from flask import Blueprint, request
from werkzeug.exceptions import HTTPException, InternalServerError

from ..domain.submissions.openrosa import InstanceRefused
from ..errors import DomainError
from ..extensions import csrf
from . import replies, views

#: Where the blueprint is mounted (``create_app``).
PREFIX = "/openrosa"

bp = Blueprint("openrosa", __name__)
# A machine endpoint: every request carries the collector's HTTP Basic credentials and no
# session cookie is ever read, so a forged cross-site post has nothing to ride on.
csrf.exempt(bp)

_BASE = "/<campaign_code>/<unit_code>"
#: (URL rule, view, methods): the blueprint's whole URL map.
RULES = [
    (f"{_BASE}/formList", views.form_list, ("GET",)),
    (f"{_BASE}/forms/<form_id>.xml", views.form_xml, ("GET",)),
    (f"{_BASE}/forms/<form_id>/manifest", views.manifest, ("GET",)),
    (f"{_BASE}/submission", views.submission_check, ("GET",)),  # HEAD comes with GET
    (f"{_BASE}/submission", views.submission, ("POST",)),
]

for _rule, _view, _methods in RULES:
    bp.add_url_rule(_rule, view_func=_view, methods=list(_methods))

bp.register_error_handler(views.OpenRosaError, views.refusal)
bp.register_error_handler(InstanceRefused, views.instance_refused)
bp.register_error_handler(DomainError, views.domain_error)
bp.register_error_handler(HTTPException, views.http_error)
# The app's own 500 handler is registered by code, which Flask looks up before any handler
# registered by class: this one must be registered by code too to come first.
bp.register_error_handler(InternalServerError, views.http_error)


@bp.after_app_request
def protocol_headers(response):
    """The OpenRosa headers on every reply under the prefix; an address under it that no
    rule matched (404, 405) is refused in OpenRosa XML too, not with the HTML page."""
    if request.blueprint != bp.name and not request.path.startswith(PREFIX + "/"):
        return response
    if request.blueprint != bp.name and response.status_code >= 400:
        response = views.routing_error(response.status_code)
        allowed = getattr(request.routing_exception, "valid_methods", None)
        if allowed:
            response.headers["Allow"] = ", ".join(allowed)
    return replies.protocol_headers(response)
