"""Counter posters and QR images for the counters of the user's units."""

from __future__ import annotations

from flask import Response, abort, render_template
from flask_login import current_user

from ..auth import UNIT_WORK, roles_required
from ..domain.units.links import counter_url
from ..domain.units.posters import poster_pdf, visible_counters
from ..models import Counter
from ..support.qr import qr_png, qr_svg
from .access import get_in_scope


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@roles_required(*UNIT_WORK)
def posters():
    """The counters of the user's units with their poster and QR downloads."""
    counters = visible_counters(current_user)
    return render_template("staff/posters.html", counters=counters,
                           urls={counter.id: counter_url(counter) for counter in counters})


def _active_counter(counter_id: int) -> Counter:
    """A counter of the user's units whose link still works (a revoked one prints nothing)."""
    counter = get_in_scope(Counter, counter_id)
    if not counter.is_active:
        abort(404)
    return counter


@roles_required(*UNIT_WORK)
def poster(counter_id: int, paper: str):
    """One counter's poster as an A4 or A5 PDF."""
    if paper not in ("a4", "a5"):
        abort(404)
    counter = _active_counter(counter_id)
    return _download(poster_pdf([counter], paper), "application/pdf",
                     f"ap-phich-quay-{counter.id}-{paper}.pdf")


@roles_required(*UNIT_WORK)
def counter_qr(counter_id: int, kind: str):
    """One counter's QR code alone, as PNG or SVG."""
    if kind not in ("png", "svg"):
        abort(404)
    counter = _active_counter(counter_id)
    url = counter_url(counter)
    if kind == "png":
        return _download(qr_png(url), "image/png", f"qr-quay-{counter.id}.png")
    return _download(qr_svg(url), "image/svg+xml", f"qr-quay-{counter.id}.svg")
