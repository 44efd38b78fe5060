"""Routing table of the public blueprint."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Unit
from ..services.links import counter_url

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    """Home page; on a demo install it also lists every unit and its counters' survey links."""
    units = []
    if current_app.config["SHOW_DEMO_LINKS"]:
        query = select(Unit).where(Unit.is_active).options(selectinload(Unit.counters))
        units = db.session.scalars(query.order_by(Unit.kind, Unit.name)).all()
    return render_template("public/index.html", units=units, counter_url=counter_url)
