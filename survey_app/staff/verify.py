"""Double entry: a second person types a sheet again; differences are resolved side by side."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth import UNIT_WORK, roles_required
from ..domain.paper.double_entry import (
    FIRST,
    SECOND,
    differences,
    field_labels,
    pending_comparisons,
    resolve,
    value_label,
    verify_sheet,
)
from ..domain.paper.paper_entry import EntryRefused, snapshot, take_typed_sheet
from ..domain.paper.serials import display_serial
from ..extensions import csrf
from ..models import CampaignState, VerificationEntry
from .access import get_in_scope
from .entry import open_campaign
from .entry_page import render_entry, render_unsent
from .sheet_forms import ActionForm


@csrf.exempt  # checked below, so an expired token keeps what was typed
@roles_required(*UNIT_WORK)
def verify():
    """Type a sheet a second time (someone else typed it first) to check the first typing."""
    campaign, campaigns = open_campaign()
    form = ActionForm()
    if campaign is None:
        return render_template("staff/no_campaign.html")
    action = url_for("staff.verify", campaign=campaign.code)
    extra = {"campaigns": campaigns, "form": form, "recent": [],
             "pending": pending_comparisons(current_user)}
    if not form.validate_on_submit():
        return render_unsent(campaign, mode="verify", action=action, blank={}, **extra)
    taken = take_typed_sheet(request.form, current_user, campaign,
                             lambda sheet, typed: verify_sheet(sheet, typed, current_user))
    if taken.problems:
        return render_entry(campaign, mode="verify", action=action, values=taken.typed.values,
                            problems=taken.problems, status=422, **extra)
    shown = display_serial(taken.sheet.serial)
    if taken.saved.matches:
        flash(f"Phiếu số {shown}: hai lần nhập khớp nhau.", "success")
        return redirect(action, 303)
    flash(f"Phiếu số {shown}: hai lần nhập khác nhau; vui lòng đối chiếu với phiếu giấy và "
          "chọn giá trị đúng.", "warning")
    return redirect(url_for("staff.verify_compare", verification_id=taken.saved.id), 303)


def _unit_of(entry: VerificationEntry) -> int:
    return entry.response.unit_id


@roles_required(*UNIT_WORK)
def verify_compare(verification_id: int):
    """The two typings side by side; choose the right value for each difference."""
    entry = get_in_scope(VerificationEntry, verification_id, unit_of=_unit_of)
    response = entry.response
    campaign = response.campaign
    form = ActionForm()
    problems = []
    if form.validate_on_submit():
        choices = {key[2:]: value for key, value in request.form.items()
                   if key.startswith("c-")}
        try:
            resolve(verification_id, choices, current_user)
        except EntryRefused as refused:
            problems = refused.problems
        else:
            flash(f"Đã đối chiếu xong phiếu số {display_serial(response.submission_key)}.",
                  "success")
            return redirect(url_for("staff.verify", campaign=campaign.code)
                            if campaign.state is CampaignState.OPEN
                            else url_for("staff.progress", campaign=campaign.code), 303)
    diffs = differences(snapshot(response), entry.payload) if entry.resolved_at is None else []
    labels = field_labels(campaign)
    rows = [(d, labels.get(d.field, d.field), value_label(campaign, d.field, d.first),
             value_label(campaign, d.field, d.second)) for d in diffs]
    return render_template("staff/compare.html", entry=entry, response=response, rows=rows,
                           serial=display_serial(response.submission_key), form=form,
                           problems=problems, first=FIRST, second=SECOND,
                           chosen=request.form), 422 if problems else 200
