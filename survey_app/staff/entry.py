"""Typing paper sheets in from the keyboard, and correcting a typed sheet."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth import UNIT_WORK, require_unit, roles_required
from ..campaign_choice import chosen_campaign
from ..domain.paper.paper_entry import (
    EntryRefused,
    correct_response,
    enter_sheet,
    open_campaigns,
    paper_response,
    read_typed,
    recent_entries,
    take_typed_sheet,
    values_of,
)
from ..domain.paper.serials import display_serial
from ..extensions import csrf
from ..models import Campaign, CampaignState
from .entry_page import render_entry, render_unsent
from .sheet_forms import ActionForm


def open_campaign() -> tuple[Campaign | None, list[Campaign]]:
    """The open campaign of ``?campaign=<code>``, else the latest open one; and all of them."""
    campaigns = open_campaigns(current_user)
    return chosen_campaign(campaigns), campaigns


def _back_to_entry(campaign: Campaign) -> str:
    """The entry page of the campaign while it is open; otherwise the progress page."""
    if campaign.state is CampaignState.OPEN:
        return url_for("staff.entry", campaign=campaign.code)
    return url_for("staff.progress", campaign=campaign.code)


@csrf.exempt  # checked below, so an expired token keeps what was typed
@roles_required(*UNIT_WORK)
def entry():
    """Type one paper sheet: serial, one digit per item, profile, comment; Enter saves."""
    campaign, campaigns = open_campaign()
    form = ActionForm()
    if campaign is None:
        return render_template("staff/no_campaign.html")
    action = url_for("staff.entry", campaign=campaign.code)
    extra = {"campaigns": campaigns, "recent": recent_entries(current_user), "form": form}
    if not form.validate_on_submit():
        return render_unsent(campaign, mode="entry", action=action, blank={}, **extra)
    taken = take_typed_sheet(request.form, current_user, campaign,
                             lambda sheet, typed: enter_sheet(sheet.id, typed, current_user))
    if taken.problems:
        return render_entry(campaign, mode="entry", action=action, values=taken.typed.values,
                            problems=taken.problems, status=422, **extra)
    flash(f"Đã lưu phiếu số {display_serial(taken.sheet.serial)} ({taken.saved.status.label}). "
          "Nhập phiếu tiếp theo.", "success")
    return redirect(action, 303)


@csrf.exempt  # checked below, so an expired token keeps what was typed
@roles_required(*UNIT_WORK)
def entry_edit(response_id: int):
    """Correct a sheet typed from paper; the audit log keeps the values before and after."""
    response = paper_response(response_id)
    if response is None:
        abort(404)
    require_unit(response.unit_id)
    campaign = response.campaign
    form = ActionForm()
    action = url_for("staff.entry_edit", response_id=response_id)
    serial = response.submission_key
    extra = {"form": form, "serial": display_serial(serial)}
    if not form.validate_on_submit():
        return render_unsent(campaign, mode="edit", action=action, blank=values_of(response),
                             **extra)
    typed = read_typed(request.form, campaign)
    problems = list(typed.problems)
    if not problems:
        try:
            correct_response(response_id, typed.submission, current_user)
        except EntryRefused as refused:
            problems = refused.problems
    if problems:
        return render_entry(campaign, mode="edit", action=action, values=typed.values,
                            problems=problems, status=422, **extra)
    flash(f"Đã sửa phiếu số {display_serial(serial)}.", "success")
    return redirect(_back_to_entry(campaign), 303)
