"""Routing table of the staff blueprint: every URL rule of the staff pages."""

from __future__ import annotations

from flask import Blueprint

from . import account_views, entry, odk, posters, progress, review, sheets, verify

bp = Blueprint("staff", __name__)

bp.before_app_request(account_views.require_password_change)

#: (URL rule, view, methods): the blueprint's whole URL map.
RULES = [
    ("/", account_views.home, ("GET",)),
    ("/login", account_views.login, ("GET", "POST")),
    ("/logout", account_views.logout, ("POST",)),
    ("/password", account_views.change_password, ("GET", "POST")),
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
    ("/sheets", sheets.batches, ("GET", "POST")),
    ("/sheets/<int:batch_id>.pdf", sheets.batch_download, ("GET",)),
    ("/verify", verify.verify, ("GET", "POST")),
    ("/verify/<int:verification_id>", verify.verify_compare, ("GET", "POST")),
]

for _rule, _view, _methods in RULES:
    bp.add_url_rule(_rule, view_func=_view, methods=list(_methods))
