"""Routing table of the results blueprint: every URL rule of the results pages."""

from __future__ import annotations

from flask import Blueprint

from . import downloads, pages, preparing

bp = Blueprint("results", __name__)

bp.context_processor(pages.display_helpers)

#: (URL rule, view, methods): the blueprint's whole URL map.
RULES = [
    ("/download/<fmt>", downloads.download, ("GET",)),
    ("/approve", downloads.approve, ("POST",)),
    ("/", pages.index, ("GET",)),
    ("/unit/<code>", pages.unit, ("GET",)),
    ("/level/<code>", pages.level, ("GET",)),
    ("/progress/<job>", preparing.progress, ("GET",)),
]

for _rule, _view, _methods in RULES:
    bp.add_url_rule(_rule, view_func=_view, methods=list(_methods))
