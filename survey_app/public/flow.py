"""The citizen form's request flow, shared by counter links (/s/…) and sheet links (/p/…).

A "link" knows what differs between the two: which served keys belong to it, where the
thank-you page is, and whether a device may answer again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import validate_csrf
from werkzeug.wrappers import Response as HttpResponse
from wtforms import ValidationError

from ..i18n import date_text, datetime_text
from ..models import Campaign, Counter, Sheet, Unit, utcnow
from ..services import form_keys, public_survey, submissions
from ..services.antistuffing import DEVICE_COOKIE, DeviceMemory
from ..services.dates import today_local
from ..services.form_keys import FormKey
from ..services.public_survey import Survey
from ..services.responses import Problem
from ..services.serials import display_serial
from .forms import CSRF_FIELD, KEY_FIELD, FilledForm, read_form
from .rendering import render_survey

#: Seconds a kiosk shows its thank-you page before a blank form (kiosk.js).
KIOSK_RETURN_SECONDS = 8


def notice(title: str, *paragraphs: str, status: int = 200, action: tuple[str, str] | None = None
           ) -> tuple[str, int]:
    """A short page telling the person what happened and, maybe, where to go next."""
    return render_template("public/notice.html", title=title, paragraphs=paragraphs,
                           action=action), status


def schedule_page(unit: Unit) -> tuple[str, int]:
    """No campaign open for this unit today: say when one runs or ran."""
    kind, campaign = public_survey.schedule_of(unit.id, today_local())
    if kind == "none":
        return notice(_("Chưa có đợt khảo sát"),
                      _("Hiện %(unit)s chưa mở đợt khảo sát nào. Cảm ơn Ông/Bà đã quan tâm.",
                        unit=unit.name))
    if kind == "upcoming":
        return notice(_("Đợt khảo sát chưa bắt đầu"), _period(campaign, unit, upcoming=True))
    return notice(_("Đợt khảo sát đã kết thúc"), _period(campaign, unit, upcoming=False))


def _period(campaign: Campaign, unit: Unit, *, upcoming: bool) -> str:
    values = {"name": campaign.name, "unit": unit.name,
              "start": date_text(campaign.starts_on), "end": date_text(campaign.deadline)}
    if upcoming:
        return _("“%(name)s” tại %(unit)s nhận ý kiến từ ngày %(start)s đến ngày %(end)s. "
                 "Vui lòng quay lại trong thời gian này.", **values)
    return _("“%(name)s” tại %(unit)s đã diễn ra từ ngày %(start)s đến ngày %(end)s. "
             "Cảm ơn Ông/Bà đã quan tâm.", **values)


def show_form(survey: Survey, key: FormKey | None = None, filled: FilledForm | None = None,
              problems: list[Problem] | tuple[Problem, ...] = (), status: int = 200
              ) -> HttpResponse:
    """The questionnaire page; after a refused submission, with its answers and problems."""
    key = key or survey.new_key()
    action = url_for(request.endpoint or "public.counter_submit", **(request.view_args or {}),
                     kiosk=1 if survey.kiosk and survey.counter else None)
    html = render_survey(survey, key_token=form_keys.sign(key), action=action,
                         values=filled.values if filled else {}, problems=list(problems))
    response = make_response(html, status)
    # Never a shared cache: each copy of the page carries its own submission key.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


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
                           client_address=request.remote_addr, now=now)
    except submissions.SubmissionConflict as conflict:
        return link.conflict_page(str(conflict))
    except submissions.SurveyClosed:
        return link.closed_page(survey.campaign)
    except submissions.SubmissionRefused as refused:
        return show_form(survey, key, filled, refused.problems, status=422)
    response = redirect(link.thanks_url(survey), 303)
    link.remember(response, survey, now)
    return response


def thanks_page(unit: Unit, next_url: str | None) -> str:
    """The thank-you page; on a kiosk it offers (and, with kiosk.js, goes to) a blank form."""
    return render_template("public/thanks.html", unit=unit, next_url=next_url,
                           seconds=KIOSK_RETURN_SECONDS)


def _closed_notice(campaign: Campaign, unit: Unit) -> tuple[str, int]:
    return notice(_("Phiếu chưa được ghi nhận"), _period(campaign, unit, upcoming=False),
                  status=410)


class CounterLink:
    """A counter's poster link, on a phone (channel qr) or on a kiosk tablet (channel kiosk)."""

    def __init__(self, counter: Counter):
        self.counter = counter

    @property
    def kiosk_requested(self) -> bool:
        return self.counter.kiosk or request.args.get("kiosk") == "1"

    def current_survey(self) -> Survey | None:
        return public_survey.survey_at_counter(self.counter, today_local(),
                                               kiosk=self.kiosk_requested)

    def survey_of(self, key: FormKey) -> Survey | None:
        return public_survey.survey_of_key(key, counter=self.counter)

    def form_page(self) -> HttpResponse | tuple[str, int]:
        survey = self.current_survey()
        if survey is None:
            return schedule_page(self.counter.unit)
        if not survey.kiosk:
            answered = self._memory().answered_within(self.counter.id, self._window(), utcnow())
            if answered is not None:
                return self._answered_page(answered, 200)
        return show_form(survey)

    def thanks_url(self, survey: Survey) -> str:
        return url_for("public.counter_thanks", token=self.counter.token,
                       kiosk=1 if survey.kiosk else None)

    def next_url(self) -> str:
        """A kiosk's blank form for the next person."""
        return url_for("public.counter_form", token=self.counter.token, kiosk=1)

    def _memory(self) -> DeviceMemory:
        return DeviceMemory.load(request.cookies.get(DEVICE_COOKIE))

    @staticmethod
    def _window() -> timedelta:
        return timedelta(minutes=int(current_app.config["DEVICE_REPEAT_MINUTES"]))

    def _answered_page(self, at: datetime, status: int) -> tuple[str, int]:
        minutes = int(current_app.config["DEVICE_REPEAT_MINUTES"])
        return notice(
            _("Ông/Bà đã gửi phiếu"),
            _("Thiết bị này đã gửi phiếu khảo sát cho %(counter)s lúc %(when)s. Cảm ơn Ông/Bà!",
              counter=self.counter.name, when=datetime_text(at)),
            _("Để mỗi ý kiến chỉ được tính một lần, mỗi thiết bị chỉ gửi một phiếu cho một quầy "
              "trong %(minutes)d phút. Nếu người khác dùng chung máy này muốn trả lời, vui lòng "
              "xin cán bộ tại quầy một phiếu giấy.", minutes=minutes),
            status=status)

    def repeat_refusal(self, survey: Survey, now: datetime) -> tuple[str, int] | None:
        """A page refusing a new response this device sent too soon after its last one."""
        memory = self._memory()
        if survey.kiosk:
            guard = timedelta(seconds=int(current_app.config["KIOSK_GUARD_SECONDS"]))
            if memory.answered_within(self.counter.id, guard, now) is None:
                return None
            return notice(_("Vui lòng chờ giây lát"),
                          _("Máy này vừa gửi một phiếu. Vui lòng chờ vài giây rồi bắt đầu phiếu "
                            "mới."), status=429,
                          action=(self.next_url(), _("Người tiếp theo")))
        answered = memory.answered_within(self.counter.id, self._window(), now)
        return None if answered is None else self._answered_page(answered, 429)

    def remember(self, response: HttpResponse, survey: Survey, now: datetime) -> None:
        """Note in the device's cookie that it answered at this counter."""
        memory = self._memory()
        memory.remember(self.counter.id, now)
        config = current_app.config
        response.set_cookie(DEVICE_COOKIE, memory.dump(), httponly=True, samesite="Lax",
                            secure=bool(config["PRODUCTION"]),
                            max_age=max(int(config["DEVICE_REPEAT_MINUTES"]) * 60,
                                        int(config["KIOSK_GUARD_SECONDS"])))

    def conflict_page(self, message: str) -> tuple[str, int]:
        return notice(_("Phiếu đã được gửi trước đó"), message, status=409)

    def closed_page(self, campaign: Campaign | None = None) -> tuple[str, int]:
        if campaign is None:
            return schedule_page(self.counter.unit)
        return _closed_notice(campaign, self.counter.unit)


class SheetLink:
    """A numbered paper sheet answered online through the QR code printed on it."""

    def __init__(self, sheet: Sheet):
        self.sheet = sheet

    def current_survey(self) -> Survey | None:
        survey = public_survey.survey_for_sheet(self.sheet)
        return survey if survey.accepts_on(today_local()) else None

    def survey_of(self, key: FormKey) -> Survey | None:
        return public_survey.survey_of_key(key, sheet=self.sheet)

    def form_page(self) -> HttpResponse | tuple[str, int]:
        if public_survey.sheet_answered(self.sheet):
            return self.answered_page(200)
        survey = public_survey.survey_for_sheet(self.sheet)
        if not survey.accepts_on(today_local()):
            return _closed_notice(survey.campaign, survey.unit)
        return show_form(survey)

    def answered_page(self, status: int) -> tuple[str, int]:
        return notice(_("Phiếu này đã được trả lời"),
                      _("Phiếu số %(serial)s đã được trả lời (trực tuyến hoặc trên giấy). Mỗi "
                        "phiếu chỉ được trả lời một lần. Cảm ơn Ông/Bà!",
                        serial=display_serial(self.sheet.serial)), status=status)

    def thanks_url(self, survey: Survey) -> str:
        return url_for("public.sheet_thanks", token=self.sheet.token)

    def repeat_refusal(self, survey: Survey, now: datetime) -> None:
        """A serial is answered once; no device limit is needed on top of that."""
        return None

    def remember(self, response: HttpResponse, survey: Survey, now: datetime) -> None:
        """Nothing to remember: the serial itself is spent."""

    def conflict_page(self, message: str) -> tuple[str, int]:
        return self.answered_page(409)

    def closed_page(self, campaign: Campaign | None = None) -> tuple[str, int]:
        survey = public_survey.survey_for_sheet(self.sheet)
        return _closed_notice(campaign or survey.campaign, survey.unit)
