"""Routing table of the admin blueprint."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__)

from . import audit_log, campaigns, counters, units, users  # noqa: E402,F401
