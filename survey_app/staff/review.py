"""Flagged responses of the user's units, to clear or keep excluded."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth import UNIT_WORK, roles_required
from ..models import Response, ResponseStatus
from ..services.review import (
    DECISIONS,
    AlreadyReviewed,
    CampaignApproved,
    flagged_responses,
    review,
)
from .access import get_in_scope
from .routes import bp
from .sheet_forms import ActionForm


@bp.get("/flagged")
@roles_required(*UNIT_WORK)
def flagged():
    """Flagged responses with the reason, channel, time and unit, and the two decisions."""
    return render_template("staff/flagged.html", rows=flagged_responses(current_user),
                           form=ActionForm(), decisions=DECISIONS)


@bp.post("/flagged/<int:response_id>")
@roles_required(*UNIT_WORK)
def flagged_review(response_id: int):
    """Record the decision on one flagged response (POST + CSRF), then back to the list."""
    get_in_scope(Response, response_id)
    form = ActionForm()
    decision = request.form.get("decision", "")
    if not form.validate_on_submit() or decision not in DECISIONS:
        abort(400)
    try:
        status = review(response_id, decision, current_user)
    except (AlreadyReviewed, CampaignApproved) as done:
        flash(str(done), "warning")
    else:
        counted = "được tính" if status is ResponseStatus.VALID else "không được tính"
        flash(f"Đã ghi nhận “{DECISIONS[decision]}” cho phiếu {response_id}; phiếu {counted}.",
              "success")
    return redirect(url_for("staff.flagged"), 303)
