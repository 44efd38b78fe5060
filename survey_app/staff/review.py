"""Flagged responses of the user's units: the list by burst, one response whole, decisions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth import UNIT_WORK, roles_required
from ..campaign_choice import chosen_campaign
from ..domain.campaigns.campaign_scope import visible_campaigns
from ..domain.submissions.flagged import LIST_LIMIT, flagged_detail, flagged_list
from ..domain.submissions.review import (
    DECISIONS,
    AlreadyReviewed,
    CampaignApproved,
    Outcome,
    OutOfScope,
    UnknownResponses,
    parse_ids,
    review,
    review_many,
)
from ..errors import DomainError
from ..models import Campaign, Response, ResponseStatus
from .access import get_in_scope
from .sheet_forms import ActionForm

#: Longest burst key (``Response.burst_key``); a longer one names nothing.
BURST_KEY_LENGTH = 40


def _campaign_filter() -> Campaign | None:
    """The campaign of ``?campaign=<code>`` (404 if the user does not see it), else all."""
    if not request.args.get("campaign", "").strip():
        return None
    return chosen_campaign(visible_campaigns(current_user))


@roles_required(*UNIT_WORK)
def flagged():
    """Flagged responses grouped by burst, with checkboxes and the two bulk decisions.

    ``?burst=<key>`` shows one burst with every response ticked, ``?select=all`` ticks the
    whole page: selecting without JavaScript.
    """
    burst = request.args.get("burst") or None
    if burst is not None and len(burst) > BURST_KEY_LENGTH:
        abort(400, description="Mã loạt phiếu không hợp lệ.")
    campaign = _campaign_filter()
    listing = flagged_list(current_user, burst=burst,
                           campaign_id=campaign.id if campaign else None)
    return render_template("staff/flagged.html", listing=listing, burst=burst,
                           campaign=campaign, limit=LIST_LIMIT,
                           ticked=burst is not None or request.args.get("select") == "all",
                           form=ActionForm(), decisions=DECISIONS)


@roles_required(*UNIT_WORK)
def flagged_response(response_id: int):
    """One flagged (or once flagged) response: its answers, profile, comment and reason."""
    response = get_in_scope(Response, response_id)
    if response.flag_reason is None and response.status is not ResponseStatus.FLAGGED:
        abort(404, description="Phiếu này không bị gắn cờ.")
    return render_template("staff/flagged_response.html",
                           detail=flagged_detail(response, current_user), form=ActionForm(),
                           decisions=DECISIONS)


@roles_required(*UNIT_WORK)
def flagged_review(response_id: int):
    """Record the decision on one flagged response (POST + CSRF), then back to the list."""
    get_in_scope(Response, response_id)
    form = ActionForm()
    decision = request.form.get("decision", "")
    if not form.validate_on_submit() or decision not in DECISIONS:
        abort(400, description="Chưa chọn quyết định (Chấp nhận hoặc Giữ loại trừ).")
    try:
        status = review(response_id, decision, current_user._get_current_object())
    except (AlreadyReviewed, CampaignApproved) as done:
        flash(str(done), "warning")
    else:
        counted = "được tính" if status is ResponseStatus.VALID else "không được tính"
        flash(f"Đã ghi nhận “{DECISIONS[decision]}” cho phiếu {response_id}; phiếu {counted}.",
              "success")
    return redirect(url_for("staff.flagged"), 303)


@roles_required(*UNIT_WORK)
def flagged_bulk():
    """One decision on every ticked response (POST + CSRF); all of them or none."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        ids = parse_ids(request.form.getlist("response_id"))
        outcome = review_many(ids, request.form.get("decision", ""),
                              current_user._get_current_object())
    except UnknownResponses as error:
        abort(404, description=str(error))
    except OutOfScope as error:
        abort(403, description=str(error))
    except CampaignApproved as error:
        abort(409, description=str(error))
    except DomainError as error:
        abort(400, description=str(error))
    flash(_summary(outcome), "success" if not outcome.skipped else "warning")
    return redirect(url_for("staff.flagged"), 303)


def _summary(outcome: Outcome) -> str:
    decided = len(outcome.counted) + len(outcome.not_counted)
    parts = [f"Đã ghi nhận “{DECISIONS[outcome.decision]}” cho {decided} phiếu"]
    if outcome.decision == "clear":
        parts.append(f"{len(outcome.counted)} phiếu được tính")
        if outcome.not_counted:
            parts.append(f"{len(outcome.not_counted)} phiếu trả lời chưa đủ nên vẫn không "
                         "được tính")
    if outcome.skipped:
        parts.append(f"{len(outcome.skipped)} phiếu đã được xem xét trước đó, giữ nguyên "
                     "quyết định cũ")
    return "; ".join(parts) + "."
