"""Routing table of the results blueprint."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("results", __name__)

from . import downloads, pages  # noqa: E402,F401  (views register on bp)
