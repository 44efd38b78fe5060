"""Administration of units: list, create, edit, deactivate, import from CSV."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..auth import acting_user, is_unscoped
from ..confirmation import ask, confirmed
from ..database import write_transaction
from ..domain.units import unit_admin
from ..domain.units.unit_import import UnitImportRejected, import_units
from ..errors import DomainError
from ..extensions import db
from ..models import Counter, Unit, UnitKind
from ..unit_tree import path_of, tree_order
from . import questions
from .common import admin_change, admin_only, in_scope, managed_unit
from .forms import UnitForm, UnitImportForm, options
from .listing import listing_in_order


def _unit_or_404(unit_id: int) -> Unit:
    return managed_unit(unit_id)


def _parent_choices(exclude: Unit | None = None) -> list:
    """Units in the admin's part of the tree, in tree order and indented; "none" (the top of
    the tree) only for an admin of the whole installation, or for a unit already there."""
    units = db.session.scalars(in_scope(select(Unit), Unit.id))
    top = [(0, "— Không có (cấp cao nhất) —")]
    if not is_unscoped(acting_user()) and (exclude is None or exclude.parent_id is not None):
        top = []
    choices = [(unit.id, "\u2003" * depth + f"{unit.name} ({unit.code})")
               for unit, depth in tree_order(units) if exclude is None or unit.id != exclude.id]
    if exclude is not None and exclude.parent is not None \
            and exclude.parent_id not in {value for value, _ in choices}:
        # a scoped admin's own top unit keeps its parent, above the admin's scope
        choices.insert(0, (exclude.parent_id, f"{exclude.parent.name} ({exclude.parent.code})"))
    return options(top + choices)


def _data(form: UnitForm) -> tuple[unit_admin.UnitData | None, str | None]:
    field_codes, problem = unit_admin.parse_field_codes(form.field_codes.data or "")
    if problem:
        return None, problem
    return unit_admin.UnitData(code=form.code.data.strip().lower(), name=form.name.data,
                               kind=UnitKind(form.kind.data),
                               parent_id=form.parent_id.data or None,
                               field_codes=field_codes), None


@admin_only
def units():
    """Every unit with its kind, parent, counters and state."""
    counts = dict(db.session.execute(select(Counter.unit_id, func.count()).where(
        Counter.is_active).group_by(Counter.unit_id)).all())
    query = in_scope(select(Unit).options(selectinload(Unit.parent)), Unit.id)
    found = listing_in_order(query, (Unit.code, Unit.name), tree_order)
    return render_template("admin/units.html", units=found.rows, found=found, counts=counts,
                           path_of=path_of)


@admin_only
def unit_new():
    """Create a unit (it gets one counter, renamable later)."""
    form = UnitForm()
    form.parent_id.choices = _parent_choices()
    user = acting_user()
    if request.method == "GET" and not is_unscoped(user) and user.units:
        form.parent_id.data = user.units[0].id  # a scoped admin adds units under its own
    error = None
    if form.validate_on_submit():
        data, error = _data(form)
        if data is not None:
            with admin_change() as change:
                unit_admin.create_unit(data, actor=change.actor)
            error = change.refusal
            if error is None:
                flash(f"Đã tạo đơn vị “{data.name}”.", "success")
                return redirect(url_for("admin.units"))
    status = 400 if error or form.errors else 200
    return render_template("admin/unit_form.html", form=form, unit=None, error=error), status


@admin_only
def unit_edit(unit_id: int):
    """Edit a unit's code, name, kind, parent and fields."""
    unit = _unit_or_404(unit_id)
    form = UnitForm(obj=unit)
    form.parent_id.choices = _parent_choices(exclude=unit)
    if request.method == "GET":
        form.kind.data = unit.kind.value
        form.parent_id.data = unit.parent_id or 0
        form.field_codes.data = ", ".join(unit.field_codes or [])
    error = None
    if form.validate_on_submit():
        data, error = _data(form)
        if data is not None:
            with admin_change() as change:
                unit_admin.update_unit(unit, data, actor=change.actor)
            error = change.refusal
            if error is None:
                flash("Đã lưu thay đổi của đơn vị.", "success")
                return redirect(url_for("admin.units"))
    status = 400 if error or form.errors else 200
    return render_template("admin/unit_form.html", form=form, unit=unit, error=error), status


@admin_only
def unit_active(unit_id: int):
    """Deactivate or reactivate a unit (its survey links stop or start working)."""
    unit = _unit_or_404(unit_id)
    active = request.form.get("active") == "1"
    if not active and unit.is_active and not confirmed():
        return ask(questions.deactivate_unit(unit))
    with admin_change() as change:
        unit_admin.set_unit_active(unit, active, actor=change.actor)
    if change.refusal:
        flash(change.refusal, "error")
    else:
        flash(("Đã kích hoạt lại " if active else "Đã ngừng hoạt động ") + unit.name + ".",
              "success")
    return redirect(url_for("admin.units"))


@admin_only
def unit_import():
    """Import units from a CSV file: every line is checked, then all are added or none."""
    form = UnitImportForm()
    problems: list[str] = []
    error = None
    if form.validate_on_submit():
        upload = form.file.data
        body = upload.read()
        try:
            with write_transaction():
                result = import_units(body, source=upload.filename or "tệp tải lên",
                                      actor=acting_user())
        except UnitImportRejected as rejected:
            error, problems = str(rejected), [str(problem) for problem in rejected.problems]
        except DomainError as refused:
            error = str(refused)
        else:
            flash(result.message(), "success")
            return redirect(url_for("admin.units"))
    status = 400 if error or form.errors else 200
    return render_template("admin/unit_import.html", form=form, error=error,
                           problems=problems), status
