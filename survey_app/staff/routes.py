"""Routing table of the staff blueprint."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("staff", __name__)

from . import account_views, entry, posters, progress, review, sheets, verify  # noqa: E402,F401
