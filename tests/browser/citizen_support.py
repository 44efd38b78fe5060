"""Helpers of the citizen-form browser tests: places to answer at, filling the form as a person
would, and reading the live server's database back."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from survey_app.domain.campaigns.instruments import published_version
from survey_app.domain.submissions import form_keys
from survey_app.extensions import db
from survey_app.models import (
    Campaign,
    CampaignState,
    CampaignUnit,
    Counter,
    Response,
    Unit,
    UnitKind,
)
from survey_app.support.dates import today_local
from tests.public.public_support import RATING_CODES

#: The configuration of the citizen modules' servers: every browser request comes from
#: 127.0.0.1 and many fill in the same answers, so the burst rules would flag later
#: responses of a module (the rules have tests of their own, tests/public/test_public_bursts).
CITIZEN_CONFIG = dict.fromkeys(("BURST_PER_CLIENT_AT_COUNTER", "BURST_SAME_ANSWERS",
                                "BURST_STRAIGHT_LINE", "BURST_PER_CLIENT",
                                "BURST_PER_COUNTER"), 10_000)

SCALE_LABELS = {"1": "Rất không hài lòng", "2": "Không hài lòng", "3": "Bình thường",
                "4": "Hài lòng", "5": "Rất hài lòng", "0": "Không áp dụng / không ý kiến"}
PROFILE = {"respondent_type": ("to_chuc", "Đại diện tổ chức"), "field": ("dat_dai", "Đất đai"),
           "gender": ("nu", "Nữ"), "age_band": ("25-34", "Từ 25 đến 34 tuổi"),
           "submission_mode": ("truc_tiep", "Trực tiếp tại Bộ phận Một cửa")}
COMMENT = "Cán bộ hướng dẫn tận tình, nhưng phải chờ lâu."
#: The same answers as the English form labels them (questionnaires/instruments/common.yaml).
ENGLISH_LABELS = {"1": "Very dissatisfied", "2": "Dissatisfied",
                  "3": "Neither satisfied nor dissatisfied", "4": "Satisfied",
                  "5": "Very satisfied", "0": "Not applicable / no opinion",
                  "respondent_type": "A representative of an organisation", "field": "Land",
                  "gender": "Female", "age_band": "25 to 34 years",
                  "submission_mode": "In person at the one-stop service desk"}


def ratings(values: str = "543210") -> dict[str, str]:
    """An answer for every one of the 22 rating items, cycling through ``values``."""
    return dict(zip(RATING_CODES, itertools.cycle(values), strict=False))


def stored_values(rated: dict[str, str]) -> dict[str, int]:
    return {code: int(value) for code, value in rated.items()}


@dataclass
class Place:
    """A unit with one counter, and the counter's survey link on the live server."""

    base_url: str
    unit_id: int
    counter_id: int
    campaign_id: int
    token: str

    @property
    def url(self) -> str:
        return f"{self.base_url}/s/{self.token}"

    @property
    def thanks_url(self) -> str:
        return f"{self.url}/cam-on"

    @property
    def next_person_url(self) -> str:
        """Where a kiosk goes for the next person: a blank form, in Vietnamese again."""
        return f"{self.url}?kiosk=1&lang=vi"


def make_place(live, code: str, *, days_before: int = 30, days_after: int = 30,
               kiosk: bool = False, kiosk_language: bool = False) -> Place:
    """A new unit with a counter in its own campaign (open today unless the days say not)."""
    with live.app.app_context():
        unit = Unit(code=code, name=f"Xã Thử {code[-4:]}", kind=UnitKind.COMMUNE)
        counter = Counter(name="Quầy một cửa", kiosk=kiosk, kiosk_language=kiosk_language)
        unit.counters.append(counter)
        today = today_local()
        campaign = Campaign(code=f"dot-{code}", name=f"Đợt khảo sát {code}",
                            state=CampaignState.OPEN,
                            instrument_version=published_version("sipas-2640"),
                            starts_on=today - timedelta(days=days_before),
                            deadline=today + timedelta(days=days_after))
        campaign.targets = [CampaignUnit(unit=unit, transactions_n=300)]
        db.session.add_all([unit, campaign])
        db.session.commit()
        return Place(base_url=live.url, unit_id=unit.id, counter_id=counter.id,
                     campaign_id=campaign.id, token=counter.token)


def responses_at(live, place: Place) -> list[dict]:
    """What the database holds for the place's counter, as plain values."""
    with live.app.app_context():
        rows = db.session.scalars(select(Response).where(Response.counter_id == place.counter_id)
                                  .order_by(Response.id)).all()
        return [{"channel": row.channel.value, "key": row.submission_key,
                 "unit_id": row.unit_id, "campaign_id": row.campaign_id,
                 "status": row.status.value, "answers": row.answer_values(),
                 "profile": {code: getattr(row, code) for code in PROFILE},
                 "comment": row.comment} for row in rows]


def served_key(live, page) -> str | None:
    """The submission key inside the form's signed ``k`` field."""
    token = page.locator('input[name="k"]').get_attribute("value")
    with live.app.app_context():
        loaded = form_keys.load(token)
    return loaded.value if loaded else None


def fill_form(page, rated: dict[str, str], *, tap: bool = True, comment: str = COMMENT,
              english: bool = False) -> None:
    """Answer as a person does: tap (or click) the label of each answer, type a comment;
    ``english``: on the form switched to English."""
    labels = ENGLISH_LABELS if english else SCALE_LABELS
    choices = {code: labels[value] for code, value in rated.items()}
    choices.update({code: ENGLISH_LABELS[code] if english else label
                    for code, (_, label) in PROFILE.items()})
    for code, label in choices.items():
        target = page.locator(f"fieldset#{code}").get_by_text(label, exact=True)
        target.tap() if tap else target.click()
    page.locator("#comment").fill(comment)


def checked_answers(page) -> dict[str, str]:
    """The radio answers the page shows as chosen."""
    return page.eval_on_selector_all(
        "input[type=radio]:checked", "els => Object.fromEntries(els.map(e => [e.name, e.value]))")


def page_widths(page) -> tuple[int, int]:
    """The page's (scrollWidth, clientWidth)."""
    return page.evaluate("[document.documentElement.scrollWidth,"
                         " document.documentElement.clientWidth]")
