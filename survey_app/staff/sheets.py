"""Printable batches of numbered paper sheets for the user's units."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth import UNIT_WORK, require_unit, roles_required
from ..domain.paper.sheet_batches import (
    BatchRefused,
    batch_pdf,
    campaign_units,
    create_batch,
    printable_campaigns,
    visible_batches,
)
from ..input_guard import MAX_ID
from ..models import SheetBatch
from .access import get_in_scope
from .sheet_forms import BatchForm


def _form_with_choices() -> BatchForm:
    form = BatchForm()
    campaigns = printable_campaigns(current_user)
    form.campaign.choices = [(c.id, f"{c.name} ({c.state.label})") for c in campaigns]
    units: dict[int, str] = {}
    for _campaign_id, unit in campaign_units(current_user, [c.id for c in campaigns]):
        units[unit.id] = unit.name
    form.unit.choices = sorted(units.items(), key=lambda pair: pair[1])
    return form


@roles_required(*UNIT_WORK)
def batches():
    """The batches of the user's units, and the form to print a new one."""
    form = _form_with_choices()
    error = None
    if form.validate_on_submit():
        if not all(0 < chosen <= MAX_ID for chosen in (form.unit.data, form.campaign.data)):
            abort(404)  # no such unit or campaign (and beyond what the database can look up)
        require_unit(form.unit.data)
        try:
            batch_id = create_batch(form.campaign.data, form.unit.data, form.count.data,
                                    current_user)
        except BatchRefused as refused:
            error = str(refused)
        else:
            flash(f"Đã tạo lô {form.count.data.strip()} phiếu. Tải tệp PDF để in.", "success")
            return redirect(url_for("staff.batches", new=batch_id), 303)
    elif form.is_submitted():
        error = "Vui lòng chọn đợt khảo sát, đơn vị và số phiếu."
    status = 400 if error else 200
    return render_template("staff/sheets.html", form=form, error=error,
                           rows=visible_batches(current_user)), status


@roles_required(*UNIT_WORK)
def batch_download(batch_id: int):
    """The batch's PDF (drawn again from the stored serials and layout)."""
    batch = get_in_scope(SheetBatch, batch_id)
    return Response(batch_pdf(batch), mimetype="application/pdf",
                    headers={"Content-Disposition":
                             f'attachment; filename="lo-phieu-{batch.id}.pdf"'})
