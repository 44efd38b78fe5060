"""Administration of a unit's counters: create, rename, revoke, regenerate the QR link."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from ..confirmation import ask, confirmed
from ..domain.units import unit_admin
from ..domain.units.links import counter_url
from ..extensions import db
from ..models import Counter, Unit
from . import questions
from .common import admin_change, admin_only
from .forms import CounterForm


def _page(unit: Unit, form: CounterForm, error: str | None = None, status: int = 200):
    return render_template("admin/counters.html", unit=unit, form=form, error=error,
                           counter_url=counter_url), status


@admin_only
def counters(unit_id: int):
    """A unit's counters with their survey links, and a form to add one."""
    return _page(db.get_or_404(Unit, unit_id), CounterForm(formdata=None))


@admin_only
def counter_create(unit_id: int):
    """Add a counter to a unit."""
    unit = db.get_or_404(Unit, unit_id)
    form = CounterForm()
    if not form.validate_on_submit():
        return _page(unit, form, status=400)
    with admin_change() as change:
        unit_admin.create_counter(unit, form.name.data, form.kiosk.data, actor=change.actor,
                                  kiosk_language=form.kiosk_language.data)
    if change.refusal:
        return _page(unit, form, change.refusal, 400)
    flash("Đã thêm quầy.", "success")
    return redirect(url_for("admin.counters", unit_id=unit.id))


@admin_only
def counter_edit(counter_id: int):
    """Rename a counter, switch its kiosk mode or its kiosk's language link; the link stays
    the same."""
    counter = db.get_or_404(Counter, counter_id)
    form = CounterForm(obj=counter)
    error = None
    if form.validate_on_submit():
        with admin_change() as change:
            unit_admin.rename_counter(counter, form.name.data, form.kiosk.data,
                                      actor=change.actor,
                                      kiosk_language=form.kiosk_language.data)
        error = change.refusal
        if error is None:
            flash("Đã lưu quầy.", "success")
            return redirect(url_for("admin.counters", unit_id=counter.unit_id))
    status = 400 if error or form.errors else 200
    return render_template("admin/counter_form.html", counter=counter, form=form,
                           error=error), status


@admin_only
def counter_active(counter_id: int):
    """Revoke a counter (its QR link stops working) or restore it."""
    counter = db.get_or_404(Counter, counter_id)
    active = request.form.get("active") == "1"
    if not active and counter.is_active and not confirmed():
        return ask(questions.deactivate_counter(counter))
    with admin_change() as change:
        unit_admin.set_counter_active(counter, active, actor=change.actor)
    if change.refusal:
        flash(change.refusal, "error")
    else:
        flash("Đã khôi phục quầy." if active else "Đã thu hồi quầy: đường dẫn của quầy không "
              "còn nhận phiếu.", "success")
    return redirect(url_for("admin.counters", unit_id=counter.unit_id))


@admin_only
def counter_regenerate(counter_id: int):
    """Issue a new QR link; posters with the old one stop working (print new ones)."""
    counter = db.get_or_404(Counter, counter_id)
    if not confirmed():
        return ask(questions.regenerate_counter(counter))
    with admin_change() as change:
        unit_admin.regenerate_counter_token(counter, actor=change.actor)
    if change.refusal:
        flash(change.refusal, "error")
    else:
        flash("Đã cấp mã QR mới. Áp phích cũ không còn dùng được: hãy in áp phích mới.",
              "warning")
    return redirect(url_for("admin.counters", unit_id=counter.unit_id))
