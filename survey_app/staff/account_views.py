"""Staff account pages: landing, login, logout, changing one's own password."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ..auth import ALL_STAFF, roles_required
from ..database import write_transaction
from ..domain.accounts import sign_in
from ..domain.audit import audit
from ..errors import DomainError
from ..extensions import csrf
from ..models import Role
from ..navigation import staff_menu
from .account_forms import ChangePasswordForm, LoginForm
from .safe_redirect import safe_next

#: Blueprints whose pages wait until a must-change password has been changed.
STAFF_BLUEPRINTS = frozenset({"staff", "admin", "results"})
EXPIRED = ("Trang đăng nhập đã mở quá lâu nên phiên làm việc hết hạn. Vui lòng nhập lại mật "
           "khẩu và bấm Đăng nhập.")
#: What a person who must change their password may still open.
PASSWORD_CHANGE_OPEN = frozenset({"staff.change_password", "staff.logout", "staff.login"})


def require_password_change():
    """A first login (or a reset password) leads to the password form before anything else."""
    if (request.blueprint in STAFF_BLUEPRINTS and request.endpoint not in PASSWORD_CHANGE_OPEN
            and current_user.is_authenticated and current_user.must_change_password):
        flash("Vui lòng đổi mật khẩu trước khi tiếp tục.", "warning")
        return redirect(url_for("staff.change_password"))
    return None


@roles_required(*ALL_STAFF)
def home():
    """Landing page after login: progress for staff, results for viewers, else a menu."""
    views = current_app.view_functions
    if current_user.role is not Role.VIEWER and "staff.progress" in views:
        return redirect(url_for("staff.progress"))
    if current_user.role is Role.VIEWER and "results.index" in views:
        return redirect(url_for("results.index"))
    return render_template("staff/home.html", items=staff_menu())


@csrf.exempt  # checked by the form itself, so an expired token re-renders the filled form
def login():
    """Sign in; throttled per account and per client across every worker."""
    target = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for("staff.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = target or ""
    if not form.validate_on_submit():
        expired = form.is_submitted() and bool(getattr(form, "csrf_token", None)
                                               and form.csrf_token.errors)
        if expired:
            return render_template("staff/login.html", form=form, error=EXPIRED), 400
        return render_template("staff/login.html", form=form), 400 if form.errors else 200
    outcome = sign_in.attempt(form.username.data, form.password.data, request.remote_addr)
    if outcome.throttle is not None:
        return render_template("staff/login.html", form=form,
                               error=outcome.throttle.message), 429
    if outcome.user is None:
        return render_template("staff/login.html", form=form,
                               error="Tên đăng nhập hoặc mật khẩu không đúng."), 200
    login_user(outcome.user)
    if outcome.user.must_change_password:
        flash("Đây là lần đăng nhập đầu tiên với mật khẩu được cấp: hãy đặt mật khẩu của riêng "
              "bạn.", "warning")
        return redirect(url_for("staff.change_password"))
    return redirect(safe_next(form.next.data) or url_for("staff.home"))


@roles_required(*ALL_STAFF)
def logout():
    """End this and every other session of the account (old cookies stop working)."""
    user = current_user._get_current_object()
    with write_transaction():
        user.end_sessions()
        audit.record("logout", object_type="user", object_id=user.username, user=user)
    logout_user()
    flash("Bạn đã đăng xuất.", "success")
    return redirect(url_for("staff.login"))


@roles_required(*ALL_STAFF)
def change_password():
    """Change one's own password; this session stays signed in, other sessions end."""
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return render_template("staff/change_password.html", form=form), 400 if form.errors else 200
    user = current_user._get_current_object()
    try:
        with write_transaction():
            sign_in.change_own_password(user, form.current_password.data,
                                        form.new_password.data)
    except DomainError as error:
        return render_template("staff/change_password.html", form=form, error=str(error)), 400
    login_user(user)
    flash("Đã đổi mật khẩu.", "success")
    return redirect(url_for("staff.home"))
