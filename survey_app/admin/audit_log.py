"""The audit log viewer: who did what and when, filtered and paginated."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms.validators import Optional

from ..domain.audit.audit_query import AuditFilter, as_json, audit_page, known_values, local_time
from ..extensions import db
from ..models import User
from .campaign_forms import VNDateField
from .common import admin_only
from .forms import Select, options


class AuditFilterForm(FlaskForm):
    """Filters read from the query string (a GET form: nothing to protect with CSRF)."""

    class Meta:
        csrf = False

    user_id = Select("Người thực hiện", coerce=int, default=0)
    action = Select("Thao tác", default="")
    object_type = Select("Loại đối tượng", default="")
    date_from = VNDateField("Từ ngày", validators=[Optional()])
    date_to = VNDateField("Đến ngày", validators=[Optional()])


@admin_only
def audit():
    """Audit events, newest first; filter by person, action, object type and dates."""
    form = AuditFilterForm(request.args)
    users = db.session.scalars(select(User).order_by(User.username))
    form.user_id.choices = options([(0, "— Tất cả —")] + [(u.id, u.username) for u in users])
    actions, types = known_values()
    form.action.choices = options([("", "— Tất cả —")] + [(a, a) for a in actions])
    form.object_type.choices = options([("", "— Tất cả —")] + [(t, t) for t in types])
    valid = form.validate()
    wanted = AuditFilter()
    if valid:
        wanted = AuditFilter(user_id=form.user_id.data or None, action=form.action.data or None,
                             object_type=form.object_type.data or None,
                             date_from=form.date_from.data, date_to=form.date_to.data)
    page = audit_page(wanted, request.args.get("page", 1, type=int) or 1)
    args = {key: value for key, value in request.args.items() if key != "page" and value}

    def page_url(number: int) -> str:
        return url_for("admin.audit", page=number, **args)

    status = 200 if valid else 400
    return render_template("admin/audit.html", form=form, result=page, as_json=as_json,
                           local_time=local_time, page_url=page_url), status
