"""Routing table of the api blueprint."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__)
