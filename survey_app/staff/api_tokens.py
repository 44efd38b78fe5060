"""The account page's API tokens: make one (its secret shown once), list them, revoke one.

Every role may hold tokens; a token reads and writes what its owner may (docs/api.md).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth import ALL_STAFF, acting_user, roles_required
from ..domain.accounts import api_tokens
from ..errors import DomainError
from ..extensions import db
from .account_forms import ApiTokenForm


def _page(form: ApiTokenForm, *, secret: str | None = None, error: str | None = None,
          status: int = 200):
    user = current_user._get_current_object()
    response = render_template("staff/api_tokens.html", form=form, secret=secret, error=error,
                               tokens=api_tokens.tokens_of(user),
                               max_active=api_tokens.MAX_ACTIVE)
    # The page that shows a secret must not be kept by the browser or a proxy.
    return response, status, {"Cache-Control": "no-store"}


@roles_required(*ALL_STAFF)
def tokens():
    """List the account's tokens; a posted name makes a new one and shows its secret once."""
    form = ApiTokenForm()
    if not form.is_submitted():
        return _page(form)
    if not form.validate():
        return _page(form, status=400)
    try:
        made = api_tokens.create_token(acting_user(), form.name.data or "")
    except DomainError as error:
        db.session.rollback()
        return _page(form, error=str(error), status=400)
    return _page(ApiTokenForm(formdata=None), secret=made.secret)


@roles_required(*ALL_STAFF)
def revoke(token_id: int):
    """Revoke one of the account's own tokens (another account's token is "not found")."""
    try:  # the CSRF token was checked by CSRFProtect before the view
        token = api_tokens.revoke_token(acting_user(), token_id)
    except LookupError:
        db.session.rollback()
        abort(404)
    flash(f"Đã thu hồi mã truy cập “{token.name}”; các hệ thống dùng mã này không truy cập "
          "được nữa.", "success")
    return redirect(url_for("staff.api_tokens"))
