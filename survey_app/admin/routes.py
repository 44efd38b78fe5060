"""Routing table of the admin blueprint: every URL rule of the administration pages."""

from __future__ import annotations

from flask import Blueprint

from . import audit_log, campaigns, counters, response_import, units, users

bp = Blueprint("admin", __name__)

#: (URL rule, view, methods): the blueprint's whole URL map.
RULES = [
    ("/audit", audit_log.audit, ("GET",)),
    ("/campaigns", campaigns.campaigns, ("GET",)),
    ("/campaigns/new", campaigns.campaign_new, ("GET", "POST")),
    ("/campaigns/<int:campaign_id>", campaigns.campaign_detail, ("GET",)),
    ("/campaigns/<int:campaign_id>/targets", campaigns.campaign_targets, ("POST",)),
    ("/campaigns/<int:campaign_id>/state", campaigns.campaign_state, ("POST",)),
    ("/campaigns/<int:campaign_id>/import", response_import.import_check, ("POST",)),
    ("/campaigns/<int:campaign_id>/import/confirm", response_import.import_confirm, ("POST",)),
    ("/campaigns/<int:campaign_id>/import/progress", response_import.import_progress,
     ("GET",)),
    ("/campaigns/<int:campaign_id>/import/result", response_import.import_result, ("GET",)),
    ("/units/<int:unit_id>/counters", counters.counters, ("GET",)),
    ("/units/<int:unit_id>/counters", counters.counter_create, ("POST",)),
    ("/counters/<int:counter_id>", counters.counter_edit, ("GET", "POST")),
    ("/counters/<int:counter_id>/active", counters.counter_active, ("POST",)),
    ("/counters/<int:counter_id>/regenerate", counters.counter_regenerate, ("POST",)),
    ("/units", units.units, ("GET",)),
    ("/units/new", units.unit_new, ("GET", "POST")),
    ("/units/<int:unit_id>", units.unit_edit, ("GET", "POST")),
    ("/units/<int:unit_id>/active", units.unit_active, ("POST",)),
    ("/units/import", units.unit_import, ("GET", "POST")),
    ("/users", users.users, ("GET",)),
    ("/users/new", users.user_new, ("GET", "POST")),
    ("/users/<int:user_id>", users.user_edit, ("GET", "POST")),
    ("/users/<int:user_id>/reset-password", users.user_reset_password, ("POST",)),
    ("/users/<int:user_id>/active", users.user_active, ("POST",)),
]

for _rule, _view, _methods in RULES:
    bp.add_url_rule(_rule, view_func=_view, methods=list(_methods))
