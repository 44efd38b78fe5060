"""The pages of the citizen survey other than its processing: form, notices, thank-you."""

from __future__ import annotations

from dataclasses import dataclass

from flask import make_response, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as HttpResponse

from ..domain.submissions import form_keys, public_survey
from ..domain.submissions.form_keys import FormKey
from ..domain.submissions.public_survey import Survey
from ..domain.submissions.responses import Problem
from ..models import Campaign, Unit
from ..support.dates import today_local
from ..support.formatting import date_text
from .forms import FilledForm
from .rendering import render_survey

#: Seconds a kiosk shows its thank-you page before a blank form (kiosk.js; without
#: JavaScript a ``<noscript>`` refresh).
KIOSK_RETURN_SECONDS = 8


@dataclass(frozen=True)
class KioskPage:
    """A page shown on a kiosk tablet (``g.kiosk``): larger type, and the language link only
    when the counter enables it."""

    language_link: bool


def notice(title: str, *paragraphs: str, status: int = 200, action: tuple[str, str] | None = None
           ) -> tuple[str, int]:
    """A short page telling the person what happened and, maybe, where to go next."""
    return render_template("public/notice.html", title=title, paragraphs=paragraphs,
                           action=action), status


def schedule_page(unit: Unit, status: int = 200) -> tuple[str, int]:
    """No campaign open for this unit today: say when one runs or ran."""
    kind, campaign = public_survey.schedule_of(unit.id, today_local())
    if kind == "none":
        return notice(_("Chưa có đợt khảo sát"),
                      _("Hiện %(unit)s chưa mở đợt khảo sát nào. Cảm ơn Ông/Bà đã quan tâm.",
                        unit=unit.name), status=status)
    return notice(_("Đợt khảo sát chưa bắt đầu") if kind == "upcoming"
                  else _("Đợt khảo sát đã kết thúc"),
                  _period(campaign, unit, upcoming=kind == "upcoming"), status=status)


def _period(campaign: Campaign, unit: Unit, *, upcoming: bool) -> str:
    values = {"name": campaign.name, "unit": unit.name,
              "start": date_text(campaign.starts_on), "end": date_text(campaign.deadline)}
    if upcoming:
        return _("“%(name)s” tại %(unit)s nhận ý kiến từ ngày %(start)s đến ngày %(end)s. "
                 "Vui lòng quay lại trong thời gian này.", **values)
    closed_on = public_survey.closed_early_on(campaign)
    if closed_on is not None:
        return _("“%(name)s” tại %(unit)s bắt đầu từ ngày %(start)s và đã kết thúc sớm vào "
                 "ngày %(closed)s (dự kiến đến ngày %(end)s). Cảm ơn Ông/Bà đã quan tâm.",
                 closed=date_text(closed_on), **values)
    return _("“%(name)s” tại %(unit)s đã diễn ra từ ngày %(start)s đến ngày %(end)s. "
             "Cảm ơn Ông/Bà đã quan tâm.", **values)


def show_form(survey: Survey, key: FormKey | None = None, filled: FilledForm | None = None,
              problems: list[Problem] | tuple[Problem, ...] = (), status: int = 200
              ) -> HttpResponse:
    """The questionnaire page; after a refused submission, with its answers and problems."""
    key = key or survey.new_key()
    action = url_for(request.endpoint, **request.view_args,
                     kiosk=1 if survey.kiosk and survey.counter else None)
    html = render_survey(survey, key_token=form_keys.sign(key), action=action,
                         values=filled.values if filled else {}, problems=list(problems))
    response = make_response(html, status)
    # Never a shared cache: each copy of the page carries its own submission key.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def thanks_page(unit: Unit, next_url: str | None) -> str:
    """The thank-you page; on a kiosk it offers (and, with kiosk.js, goes to) a blank form."""
    return render_template("public/thanks.html", unit=unit, next_url=next_url,
                           seconds=KIOSK_RETURN_SECONDS)


def closed_notice(campaign: Campaign, unit: Unit) -> tuple[str, int]:
    """A form posted after its campaign stopped taking responses: nothing was stored."""
    return notice(_("Phiếu chưa được ghi nhận"), _period(campaign, unit, upcoming=False),
                  status=410)
