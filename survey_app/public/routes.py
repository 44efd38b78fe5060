"""Routing table of the public blueprint: the home page and the citizen survey."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from ..domain.submissions import public_survey
from ..domain.units.links import counter_url
from ..error_pages import render_error
from ..extensions import csrf, db, limiter
from ..models import Unit
from ..support.dates import today_local
from . import flow, pages
from .links import CounterLink, SheetLink

bp = Blueprint("public", __name__)

#: Endpoints receiving the citizen form (small bodies only).
FORM_POSTS = frozenset({"public.counter_submit", "public.sheet_submit"})


def _rate_limit() -> str:
    return current_app.config["PUBLIC_RATE_LIMIT"]


@bp.before_request
def limit_form_bodies():
    """The citizen form is small; refuse big bodies before reading them."""
    if request.endpoint in FORM_POSTS:
        request.max_content_length = int(current_app.config["PUBLIC_MAX_BODY"])


@bp.errorhandler(413)
def body_too_large(error):
    """A friendly refusal of an oversized form."""
    return render_error(413, _("Nội dung gửi lên quá lớn. Ý kiến khác tối đa 2.000 ký tự; vui "
                               "lòng bấm nút Quay lại của trình duyệt, rút ngắn và gửi lại."))


@bp.errorhandler(429)
def too_many(error):
    """The per-address limit on submissions was reached."""
    return render_error(429, _("Có quá nhiều phiếu được gửi từ cùng một mạng trong ít phút. Vui "
                               "lòng bấm nút Quay lại của trình duyệt, chờ một phút rồi bấm "
                               "“Gửi phiếu” lần nữa; các câu trả lời vẫn còn."))


@bp.get("/")
def index():
    """Home page; on a demo install it also lists every unit and its counters' survey links."""
    units = []
    if current_app.config["SHOW_DEMO_LINKS"]:
        query = select(Unit).where(Unit.is_active).options(selectinload(Unit.counters))
        units = db.session.scalars(query.order_by(Unit.kind, Unit.name)).all()
    return render_template("public/index.html", units=units, counter_url=counter_url,
                           minutes=_promised_minutes())


def _promised_minutes() -> int | None:
    """The running questionnaire's length; none promised while the database is not ready
    (a fresh install before ``flask db upgrade``): the home page still opens."""
    try:
        return public_survey.promised_minutes(today_local())
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.warning("Trang chủ: chưa đọc được đợt khảo sát (cơ sở dữ liệu "
                                   "chưa được nâng cấp?)")
        return None


def _counter(token: str) -> CounterLink:
    counter = public_survey.active_counter(token)
    if counter is None:
        abort(404)
    link = CounterLink(counter)
    if link.kiosk_requested:
        # Every page of this request (form, thank-you, notices) in the tablet's layout.
        g.kiosk = pages.KioskPage(language_link=counter.kiosk_language)
    return link


def _sheet(token: str) -> SheetLink:
    sheet = public_survey.sheet_by_token(token)
    if sheet is None:
        abort(404)
    return SheetLink(sheet)


@bp.get("/s/<token>")
def counter_form(token: str):
    """The questionnaire of the counter's open campaign (QR poster, or kiosk with ?kiosk=1)."""
    return _counter(token).form_page()


@bp.post("/s/<token>")
@csrf.exempt  # checked in flow.submit, which keeps the answers when the token has expired
@limiter.limit(_rate_limit)
def counter_submit(token: str):
    """Store a counter's filled form once, then redirect to the thank-you page."""
    return flow.submit(_counter(token))


@bp.get("/s/<token>/cam-on")
def counter_thanks(token: str):
    """Thank-you page; on a kiosk it leads the next person to a blank form."""
    link = _counter(token)
    return pages.thanks_page(link.counter.unit, link.next_url() if link.kiosk_requested else None)


@bp.get("/p/<token>")
def sheet_form(token: str):
    """A numbered paper sheet's questionnaire, answered online through its QR code."""
    return _sheet(token).form_page()


@bp.post("/p/<token>")
@csrf.exempt  # checked in flow.submit, as for counters
@limiter.limit(_rate_limit)
def sheet_submit(token: str):
    """Store a paper sheet answered online (its serial is the key), then thank."""
    return flow.submit(_sheet(token))


@bp.get("/p/<token>/cam-on")
def sheet_thanks(token: str):
    """Thank-you page after answering a paper sheet online."""
    link = _sheet(token)
    return pages.thanks_page(public_survey.survey_for_sheet(link.sheet).unit, None)
