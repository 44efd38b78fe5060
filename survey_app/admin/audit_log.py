"""The audit log viewer: who did what and when, in words, filtered, paginated, downloadable."""

from __future__ import annotations

import csv
import io

from flask import Response, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms.validators import Optional

from ..auth import acting_user, is_unscoped
from ..domain.accounts.user_admin import managed_accounts
from ..domain.audit.actions import action_name, changes, object_text
from ..domain.audit.audit_query import AuditFilter, audit_page, audit_rows, known_values, local_time
from ..domain.results.exports.safety import neutralise
from ..extensions import db
from ..models import Unit, User
from .campaign_forms import VNDateField
from .common import admin_only, in_scope
from .forms import Select, options


class AuditFilterForm(FlaskForm):
    """Filters read from the query string (a GET form: nothing to protect with CSRF)."""

    class Meta:
        csrf = False

    user_id = Select("Người thực hiện", coerce=int, default=0)
    unit_id = Select("Đơn vị", coerce=int, default=0)
    action = Select("Thao tác", default="")
    object_type = Select("Loại đối tượng", default="")
    date_from = VNDateField("Từ ngày", validators=[Optional()])
    date_to = VNDateField("Đến ngày", validators=[Optional()])


def _filter_form() -> tuple[AuditFilterForm, AuditFilter, bool]:
    form = AuditFilterForm(request.args)
    actor = acting_user()
    users = list(db.session.scalars(managed_accounts(select(User), actor)
                                    .order_by(User.username)))
    form.user_id.choices = options([(0, "— Tất cả —")] +
                                   [(u.id, f"{u.full_name} ({u.username})") for u in users])
    units = db.session.scalars(in_scope(select(Unit), Unit.id).order_by(Unit.name))
    form.unit_id.choices = options([(0, "— Tất cả —")] + [(u.id, u.name) for u in units])
    actions, types = known_values()
    named = sorted(((a, action_name(a)) for a in actions), key=lambda pair: pair[1])
    form.action.choices = options([("", "— Tất cả —"), *named])
    form.object_type.choices = options([("", "— Tất cả —")] +
                                       [(t, object_text(t, None)) for t in types])
    valid = form.validate()
    # A scoped admin reads what the accounts it manages did, nothing of the rest of the tree.
    actor_ids = None if is_unscoped(actor) else frozenset(user.id for user in users)
    wanted = AuditFilter(actor_ids=actor_ids)
    if valid:
        wanted = AuditFilter(user_id=form.user_id.data or None, unit_id=form.unit_id.data or None,
                             action=form.action.data or None,
                             object_type=form.object_type.data or None,
                             date_from=form.date_from.data, date_to=form.date_to.data,
                             actor_ids=actor_ids)
    return form, wanted, valid


@admin_only
def audit():
    """Audit events, newest first, in words; filter by person, unit, action, object type and
    dates; ``?format=csv`` downloads every matching event."""
    form, wanted, valid = _filter_form()
    args = {key: value for key, value in request.args.items()
            if key not in ("page", "format") and value}
    if valid and request.args.get("format") == "csv":
        return _csv(wanted)
    page = audit_page(wanted, request.args.get("page", 1, type=int) or 1)

    def page_url(number: int) -> str:
        return url_for("admin.audit", page=number, **args)

    status = 200 if valid else 400
    return render_template("admin/audit.html", form=form, result=page, changes=changes,
                           action_name=action_name, object_text=object_text,
                           local_time=local_time, page_url=page_url,
                           csv_url=url_for("admin.audit", format="csv", **args)), status


def _csv(wanted: AuditFilter) -> Response:
    """UTF-8 with BOM (Excel reads the diacritics), formulas neutralised."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in audit_rows(wanted):
        writer.writerow([neutralise(cell) for cell in row])
    return Response(buffer.getvalue().encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=nhat-ky-thao-tac.csv"})
