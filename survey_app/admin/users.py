"""Administration of staff accounts: list, create, edit, reset password, (de)activate."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth import acting_user
from ..confirmation import ask, confirmed
from ..domain.accounts import user_admin
from ..extensions import db
from ..models import Role, Unit, User
from ..unit_tree import tree_order
from . import questions
from .common import admin_change, admin_only, in_scope
from .forms import UserEditForm, UserForm, options
from .listing import listing


def _unit_choices() -> list:
    units = db.session.scalars(in_scope(select(Unit), Unit.id))
    return options((unit.id, f"{unit.name} ({unit.code})") for unit, _ in tree_order(units))


def _managed_user(user_id: int) -> User:
    """The account if the signed-in admin manages it: 404 if none, 403 outside its scope."""
    user = db.get_or_404(User, user_id)
    if not user_admin.manages_account(user, acting_user()):
        abort(403)
    return user


def _secret_page(user: User, password: str, created: bool):
    """The generated password, shown once and never cached."""
    response = make_response(render_template("admin/user_password.html", user=user,
                                             password=password, created=created))
    response.headers["Cache-Control"] = "no-store"
    return response


def _list_page(error: str | None = None, status: int = 200):
    query = user_admin.managed_accounts(select(User).options(selectinload(User.units))
                                        .order_by(User.active.desc(), User.username),
                                        acting_user())
    found = listing(query, (User.username, User.full_name))
    return render_template("admin/users.html", users=found.rows, found=found,
                           error=error), status


@admin_only
def users():
    """Every staff account with its role, units and state."""
    return _list_page()


@admin_only
def user_new():
    """Create an account; its generated password is shown once."""
    form = UserForm()
    form.unit_ids.choices = _unit_choices()
    error = None
    if form.validate_on_submit():
        with admin_change() as change:
            user, password = user_admin.create_account(
                form.username.data, form.full_name.data, Role(form.role.data),
                list(form.unit_ids.data or []), actor=change.actor)
        error = change.refusal
        if error is None:
            return _secret_page(user, password, created=True)
    status = 400 if error or form.errors else 200
    return render_template("admin/user_form.html", form=form, user=None, error=error), status


@admin_only
def user_edit(user_id: int):
    """Change an account's name, role and units."""
    user = _managed_user(user_id)
    form = UserEditForm(obj=user)
    form.unit_ids.choices = _unit_choices()
    if request.method == "GET":
        form.role.data = user.role.value
        form.unit_ids.data = [unit.id for unit in user.units]
    error = None
    if form.validate_on_submit():
        with admin_change() as change:
            user_admin.update_account(user, change.actor, form.full_name.data,
                                      Role(form.role.data), list(form.unit_ids.data or []))
        error = change.refusal
        if error is None:
            flash(f"Đã lưu tài khoản {user.username}.", "success")
            return redirect(url_for("admin.users"))
    status = 400 if error or form.errors else 200
    return render_template("admin/user_form.html", form=form, user=user, error=error), status


@admin_only
def user_reset_password(user_id: int):
    """A new generated password, shown once; the person must change it at next login."""
    user = _managed_user(user_id)
    if not confirmed():
        return ask(questions.reset_password(user))
    with admin_change() as change:
        password = user_admin.reset_password(user, actor=change.actor)
    if change.refusal:
        flash(change.refusal, "error")
        return redirect(url_for("admin.users"))
    return _secret_page(user, password, created=False)


@admin_only
def user_active(user_id: int):
    """Deactivate (sessions end at once) or reactivate an account."""
    user = _managed_user(user_id)
    active = request.form.get("active") == "1"
    if not active and user.active and user.id != acting_user().id and not confirmed():
        return ask(questions.lock_user(user))
    with admin_change() as change:
        user_admin.set_active(user, change.actor, active)
    if change.refusal:
        return _list_page(change.refusal, 409)
    flash(f"Đã {'mở lại' if active else 'khóa'} tài khoản {user.username}.", "success")
    return redirect(url_for("admin.users"))
