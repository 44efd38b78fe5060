"""Receiving the citizen form: check it, store it once, then Post/Redirect/Get.

Shared by counter links and sheet links (``links.CounterLink``, ``links.SheetLink``).
"""

from __future__ import annotations

from flask import current_app, redirect, request
from flask_babel import gettext as _
from flask_wtf.csrf import validate_csrf
from werkzeug.wrappers import Response as HttpResponse
from wtforms import ValidationError

from ..domain.submissions import form_keys, submissions
from ..domain.submissions.responses import Problem
from ..models import utcnow
from .forms import CSRF_FIELD, KEY_FIELD, read_form
from .links import CounterLink, SheetLink
from .pages import show_form


def _csrf_valid() -> bool:
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    try:
        validate_csrf(request.form.get(CSRF_FIELD))
    except ValidationError:
        return False
    return True


def submit(link: CounterLink | SheetLink) -> HttpResponse | tuple[str, int]:
    """Check a posted form and store it once; then 303 to the thank-you page."""
    key = form_keys.load(request.form.get(KEY_FIELD))
    survey = link.survey_of(key) if key else None
    files = list(request.files)
    if key is None or survey is None:
        survey = link.current_survey()
        if survey is None:
            return link.closed_page()
        stale = Problem(KEY_FIELD, _("Biểu mẫu đã cũ hoặc không hợp lệ. Các câu trả lời vẫn "
                                     "được giữ dưới đây; vui lòng kiểm tra và bấm “Gửi phiếu”."))
        return show_form(survey, filled=read_form(request.form, files, survey),
                         problems=[stale], status=400)
    filled = read_form(request.form, files, survey)
    if filled.problems:
        return show_form(survey, key, filled, filled.problems, status=400)
    now = utcnow()
    try:
        # A replay (double tap, retry after a lost reply) is thanked whatever its session
        # or device says; only a new response is checked and stored.
        if submissions.previous(key.value, filled.submission, key.sheet_id) is None:
            if not _csrf_valid():
                expired = Problem(CSRF_FIELD, _(
                    "Phiên trả lời đã hết hạn. Các câu trả lời vẫn được giữ dưới đây; vui lòng "
                    "bấm “Gửi phiếu” lần nữa."))
                return show_form(survey, key, filled, [expired], status=400)
            refusal = link.repeat_refusal(survey, now)
            if refusal is not None:
                return refusal
            submissions.accept(survey, key.value, filled.submission,
                               client_address=request.remote_addr, now=now, unseen=True)
    except submissions.SubmissionConflict as conflict:
        return link.conflict_page(str(conflict))
    except submissions.SurveyClosed:
        return link.closed_page(survey.campaign)
    except submissions.SubmissionRefused as refused:
        return show_form(survey, key, filled, refused.problems, status=422)
    response = redirect(link.thanks_url(survey), 303)
    link.remember(response, survey, now)
    return response
