"""Routing table of the api blueprint: every URL rule of the JSON API (/api/v1).

The views declare their schemas with flask-smorest's decorators where they are defined (the
library reads the OpenAPI document from them, see ``blueprint.py``); which URL reaches which
view is decided here alone.
"""

from __future__ import annotations

import flask

from ..extensions import csrf, limiter
from . import access, campaigns, docs, responses, units
from .blueprint import bp

#: (URL rule, view, methods): the blueprint's whole URL map.
RULES = [
    ("/v1/openapi.json", docs.openapi_json, ("GET",)),
    ("/v1/docs", docs.docs, ("GET",)),
    ("/v1/campaigns", campaigns.campaigns, ("GET",)),
    ("/v1/campaigns/<code>", campaigns.campaign, ("GET",)),
    ("/v1/campaigns/<code>/progress", campaigns.progress, ("GET",)),
    ("/v1/campaigns/<code>/results", campaigns.results, ("GET",)),
    ("/v1/campaigns/<code>/snapshots", campaigns.snapshots, ("GET",)),
    ("/v1/campaigns/<code>/responses", responses.raw_responses, ("GET",)),
    ("/v1/campaigns/<code>/responses", responses.submit, ("POST",)),
    ("/v1/units", units.units, ("GET",)),
    ("/v1/units/<code>", units.unit, ("GET",)),
]

#: Views documented in the OpenAPI document (the document and its page are not operations).
UNDOCUMENTED = frozenset({docs.openapi_json, docs.docs})

# Token-authenticated machine endpoints: no session cookie is used, so no CSRF token either.
csrf.exempt(bp)
bp.before_request(access.authenticate)
limiter.limit(access.rate_limit, key_func=access.rate_key)(bp)

for _rule, _view, _methods in RULES:
    if _view in UNDOCUMENTED:
        # Flask's own add_url_rule: a route, not an operation of the OpenAPI document.
        flask.Blueprint.add_url_rule(bp, _rule, view_func=_view, methods=list(_methods))
    else:
        bp.add_url_rule(_rule, view_func=_view, methods=list(_methods))
