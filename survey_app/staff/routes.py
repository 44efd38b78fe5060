"""Routing table of the staff blueprint: every URL rule of the staff pages."""

from __future__ import annotations

from flask import Blueprint

from . import (
    account_views,
    api_tokens,
    entry,
    odk,
    posters,
    progress,
    review,
    scans,
    sheets,
    verify,
)

bp = Blueprint("staff", __name__)

bp.before_app_request(account_views.require_password_change)

#: (URL rule, view, methods): the blueprint's whole URL map.
RULES = [
    ("/", account_views.home, ("GET",)),
    ("/login", account_views.login, ("GET", "POST")),
    ("/logout", account_views.logout, ("POST",)),
    ("/password", account_views.change_password, ("GET", "POST")),
    ("/account/api-tokens", api_tokens.tokens, ("GET", "POST")),
    ("/account/api-tokens/<int:token_id>/revoke", api_tokens.revoke, ("POST",)),
    ("/entry", entry.entry, ("GET", "POST")),
    ("/entry/<int:response_id>/edit", entry.entry_edit, ("GET", "POST")),
    ("/posters", posters.posters, ("GET",)),
    ("/posters/<int:counter_id>/poster-<paper>.pdf", posters.poster, ("GET",)),
    ("/posters/<int:counter_id>/qr.<kind>", posters.counter_qr, ("GET",)),
    ("/odk", odk.odk, ("GET",)),
    ("/odk/<int:campaign_id>/<int:unit_id>/qr.png", odk.odk_qr, ("GET",)),
    ("/progress", progress.progress, ("GET",)),
    ("/flagged", review.flagged, ("GET",)),
    ("/flagged/<int:response_id>", review.flagged_response, ("GET",)),
    ("/flagged/<int:response_id>", review.flagged_review, ("POST",)),
    ("/flagged/review", review.flagged_bulk, ("POST",)),
    ("/scans", scans.scans, ("GET", "POST")),
    ("/scans/<int:scan_id>", scans.scan_review, ("GET",)),
    ("/scans/<int:scan_id>", scans.scan_review_save, ("POST",)),
    ("/scans/<int:scan_id>/discard", scans.scan_discard, ("POST",)),
    ("/scans/<int:scan_id>/<code>.png", scans.scan_crop, ("GET",)),
    ("/sheets", sheets.batches, ("GET", "POST")),
    ("/sheets/<int:batch_id>.pdf", sheets.batch_download, ("GET",)),
    ("/verify", verify.verify, ("GET", "POST")),
    ("/verify/<int:verification_id>", verify.verify_compare, ("GET", "POST")),
]

#: Endpoint names that differ from the view's function name.
ENDPOINTS = {api_tokens.tokens: "api_tokens", api_tokens.revoke: "api_token_revoke"}

for _rule, _view, _methods in RULES:
    bp.add_url_rule(_rule, endpoint=ENDPOINTS.get(_view), view_func=_view,
                    methods=list(_methods))
