"""Routing table of the results blueprint."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("results", __name__)
