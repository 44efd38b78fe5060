"""What differs between a counter's link (/s/…) and a paper sheet's link (/p/…): which served
keys belong to it, where its thank-you page is, and whether a device may answer again."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as HttpResponse

from ..domain.paper.serials import display_serial
from ..domain.submissions import public_survey
from ..domain.submissions.antistuffing import DEVICE_COOKIE, DeviceMemory
from ..domain.submissions.form_keys import FormKey
from ..domain.submissions.public_survey import Survey
from ..models import Campaign, Counter, Sheet, utcnow
from ..support.dates import today_local
from ..support.formatting import datetime_text
from .pages import closed_notice, notice, schedule_page, show_form


class CounterLink:
    """A counter's poster link, on a phone (channel qr) or on a kiosk tablet (channel kiosk)."""

    def __init__(self, counter: Counter):
        self.counter = counter
        # Kept as plain values: after a submission's commit the counter row is expired, and
        # reading them from it again would cost a query for the redirect.
        self.counter_id, self.token = counter.id, counter.token

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
        return url_for("public.counter_thanks", token=self.token,
                       kiosk=1 if survey.kiosk else None)

    def next_url(self) -> str:
        """A kiosk's blank form for the next person, in the default language again (a person
        who switched to English does not leave the tablet in English for the next one)."""
        return url_for("public.counter_form", token=self.token, kiosk=1,
                       lang=current_app.config["BABEL_DEFAULT_LOCALE"])

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
            if memory.answered_within(self.counter_id, guard, now) is None:
                return None
            return notice(_("Vui lòng chờ giây lát"),
                          _("Máy này vừa gửi một phiếu. Vui lòng chờ vài giây rồi bắt đầu phiếu "
                            "mới."), status=429,
                          action=(self.next_url(), _("Người tiếp theo")))
        answered = memory.answered_within(self.counter_id, self._window(), now)
        return None if answered is None else self._answered_page(answered, 429)

    def remember(self, response: HttpResponse, survey: Survey, now: datetime) -> None:
        """Note in the device's cookie that it answered at this counter."""
        memory = self._memory()
        memory.remember(self.counter_id, now)
        config = current_app.config
        response.set_cookie(DEVICE_COOKIE, memory.dump(), httponly=True, samesite="Lax",
                            secure=bool(config["PRODUCTION"]),
                            max_age=max(int(config["DEVICE_REPEAT_MINUTES"]) * 60,
                                        int(config["KIOSK_GUARD_SECONDS"])))

    def conflict_page(self, message: str) -> tuple[str, int]:
        return notice(_("Phiếu đã được gửi trước đó"), message, status=409)

    def closed_page(self, campaign: Campaign | None = None) -> tuple[str, int]:
        """A post that could not be stored because no campaign takes it."""
        if campaign is None:
            return schedule_page(self.counter.unit, status=410)
        return closed_notice(campaign, self.counter.unit)


class SheetLink:
    """A numbered paper sheet answered online through the QR code printed on it."""

    def __init__(self, sheet: Sheet):
        self.sheet = sheet
        self.token = sheet.token  # a plain value, for the redirect after the commit

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
            return closed_notice(survey.campaign, survey.unit)
        return show_form(survey)

    def answered_page(self, status: int) -> tuple[str, int]:
        return notice(_("Phiếu này đã được trả lời"),
                      _("Phiếu số %(serial)s đã được trả lời (trực tuyến hoặc trên giấy). Mỗi "
                        "phiếu chỉ được trả lời một lần. Cảm ơn Ông/Bà!",
                        serial=display_serial(self.sheet.serial)), status=status)

    def thanks_url(self, survey: Survey) -> str:
        return url_for("public.sheet_thanks", token=self.token)

    def repeat_refusal(self, survey: Survey, now: datetime) -> None:
        """A serial is answered once; no device limit is needed on top of that."""
        return None

    def remember(self, response: HttpResponse, survey: Survey, now: datetime) -> None:
        """Nothing to remember: the serial itself is spent."""

    def conflict_page(self, message: str) -> tuple[str, int]:
        return self.answered_page(409)

    def closed_page(self, campaign: Campaign | None = None) -> tuple[str, int]:
        survey = public_survey.survey_for_sheet(self.sheet)
        return closed_notice(campaign or survey.campaign, survey.unit)
