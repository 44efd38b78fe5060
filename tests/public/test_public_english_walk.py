"""The whole citizen path in English: every page a person can meet, judged by its visible text.

A page switched to English must show no Vietnamese letter (a letter with a diacritic, or đ)
except in the link back to "Tiếng Việt", in the proper names of units, counters and
campaigns, and in texts deliberately marked ``lang="vi"`` (an instrument's Vietnamese
wording shown for want of an English one, announced by a note: see test_public_english.py).
With the shipped instruments nothing is marked: they carry English for every text.
"""

from __future__ import annotations

import pytest

from questionnaires import shipped_instruments
from survey_app.domain.paper.serials import new_serial
from survey_app.extensions import db
from survey_app.models import CampaignState, Sheet, SheetBatch
from tests.public.public_support import (
    hidden_fields,
    marked_vietnamese,
    response_count,
    vietnamese_left,
)


def test_the_judge_sees_vietnamese_outside_the_allowed_places():
    page = ('<html lang="en"><title>Thank you – Xã Thử</title><p>Send <b>Gửi</b></p>'
            '<a href="?lang=vi" lang="vi" hreflang="vi">Tiếng Việt</a>'
            '<label lang="vi"><input type="radio">Hài lòng</label>'
            '<span aria-label="Đóng">x</span><style>p{content:"ư"}</style>')
    assert vietnamese_left(page, ("Xã Thử",)) == ["Gửi", "Đóng"]
    assert marked_vietnamese(page) == ["Hài lòng"]


def answers_for(code: str, value: str = "4", **changes: str) -> dict[str, str]:
    """Every rating item of instrument ``code`` answered ``value``, plus the required one."""
    answers = dict.fromkeys((item.code for item in shipped_instruments()[code].rating_items),
                            value)
    return {**answers, "respondent_type": "ca_nhan", **changes}


class Walk:
    """A phone in English going through the citizen pages, judging each one."""

    def __init__(self, client, *names: str):
        self.client = client
        self.names = names
        self.seen: list[str] = []

    def page(self, reply, status: int) -> str:
        html = reply.get_data(as_text=True)
        assert reply.status_code == status, html
        assert '<html lang="en"' in html
        assert vietnamese_left(html, self.names) == [], reply.request.path
        assert marked_vietnamese(html) == [], reply.request.path
        self.seen.append(f"{reply.request.path} {status}")
        return html

    def get(self, url: str, status: int = 200) -> str:
        return self.page(self.client.get(url), status)

    def post(self, url: str, fields: dict[str, str], answers: dict[str, str], status: int
             ) -> str:
        return self.page(self.client.post(url, data={**fields, **answers}), status)


@pytest.mark.parametrize("code", ["sipas-2640", "sipas-1001-dvhcc"])
def test_every_page_of_the_english_citizen_path_is_in_english(client, make_unit, make_campaign,
                                                              code):
    blocks = [block.code for block in shipped_instruments()[code].blocks]
    unit = make_unit(field_codes=["ho_tich", "dat_dai"])
    campaign = make_campaign([unit], instrument=code, optional_blocks=blocks)
    counter = unit.counters[0]
    walk = Walk(client, unit.name, counter.name, campaign.name)
    url = f"/s/{counter.token}"
    client.get("/?lang=en")  # the choice is remembered in a cookie from here on

    home = walk.get("/")
    assert "The survey is anonymous and takes about" in home
    form = walk.get(url)
    assert "Part 1/" in form and "You are answering as (required)" in form
    assert "Optional; at most 2,000 characters." in form  # English thousands separators
    fields = hidden_fields(form)

    # Everything a person can get wrong, in English, naming the questions in English.
    empty = walk.post(url, fields, {}, 422)
    assert "Please choose an answer to “You are answering as”." in empty
    assert "Please rate at least" in empty and "Questions not answered: 1, 2, 3" in empty
    wrong = walk.post(url, fields, answers_for(code, gender="ong", field="ho_tich",
                                               comment="x" * 2001), 422)
    assert "Gender: the choice “ong” is not valid." in wrong
    assert "Your comment is 2,001 characters long; at most 2,000 characters are allowed." \
        in wrong
    other_field = walk.post(url, fields, answers_for(code, field="khac"), 422)
    assert f"The field “Other” is not handled by {unit.name}." in other_field
    stale = walk.post(url, {**fields, "k": "cu"}, answers_for(code), 400)
    assert "This form is out of date or not valid." in stale
    unknown = walk.post(url, fields, answers_for(code, zz9="5"), 400)
    assert "“zz9”" in unknown
    assert response_count() == 0

    thanks = client.post(url, data={**fields, **answers_for(code)})
    assert thanks.status_code == 303
    walk.get(thanks.headers["Location"])
    walk.post(url, fields, answers_for(code, "2"), 409)  # the same key, other answers
    walk.get(url)  # this phone has answered: it says so instead of a new form
    assert response_count() == 1

    # A kiosk tablet at the counter: the form, the thank-you page, the repeat-press guard.
    tablet = client.application.test_client()
    kiosk = Walk(tablet, *walk.names).get(f"{url}?kiosk=1&lang=en")
    kiosk_fields = hidden_fields(kiosk)
    sent = tablet.post(f"{url}?kiosk=1", data={**kiosk_fields, **answers_for(code)})
    assert sent.status_code == 303
    walk.page(tablet.get(sent.headers["Location"]), 200)
    too_soon = walk.page(tablet.get(f"{url}?kiosk=1"), 200)
    walk.page(tablet.post(f"{url}?kiosk=1", data={**hidden_fields(too_soon),
                                                  **answers_for(code, "3")}), 429)

    # A numbered paper sheet answered online through its QR code.
    db.session.rollback()
    batch = SheetBatch(campaign_id=campaign.id, unit_id=unit.id, sheet_count=1,
                       sheets=[Sheet(serial=new_serial())])
    db.session.add(batch)
    db.session.commit()
    sheet_url = f"/p/{batch.sheets[0].token}"
    sheet_form = walk.get(sheet_url)
    assert "Form no. " in sheet_form
    sheet_fields = hidden_fields(sheet_form)
    walk.post(sheet_url, sheet_fields, {}, 422)
    sent = client.post(sheet_url, data={**sheet_fields, **answers_for(code)})
    walk.get(sent.headers["Location"])
    walk.get(sheet_url)  # answered once
    walk.post(sheet_url, sheet_fields, answers_for(code, "1"), 409)

    # The campaign closes: what a form still open on a phone and a new visitor see.
    late = client.application.test_client()  # another phone, its form opened before closing
    later = walk.page(late.get(f"{url}?lang=en"), 200)
    db.session.rollback()
    campaign.state = CampaignState.CLOSED
    db.session.commit()
    walk.page(late.post(url, data={**hidden_fields(later), **answers_for(code)}), 410)
    walk.get(url)

    assert "(NUL)" in walk.get(f"{url}?q=%00", 400)
    walk.get("/s/khong-co-quay-nay", 404)
    walk.get("/p/khong-co-phieu-nay", 404)
    too_large = client.post(url, data={**fields, "comment": "x" * 40_000})
    walk.page(too_large, 413)
    assert {seen.split()[-1] for seen in walk.seen} == {
        "200", "400", "404", "409", "410", "413", "422", "429"}


@pytest.mark.parametrize("when", ["none", "upcoming", "ended"])
def test_the_pages_without_a_running_campaign_are_in_english(client, make_unit, make_campaign,
                                                             when):
    unit = make_unit()
    names = [unit.name, unit.counters[0].name]
    if when != "none":
        days = {"upcoming": (-5, 20), "ended": (40, -10)}[when]
        names.append(make_campaign([unit], days_before=days[0], days_after=days[1]).name)
    walk = Walk(client, *names)
    html = walk.get(f"/s/{unit.counters[0].token}?lang=en")
    assert {"none": "No survey", "upcoming": "has not started yet",
            "ended": "has ended"}[when] in html


class TestTooManySubmissions:
    @pytest.fixture
    def config_overrides(self, config_overrides):
        return {**config_overrides, "RATELIMIT_ENABLED": True,
                "PUBLIC_RATE_LIMIT": "1 per minute"}

    def test_the_rate_limit_page_is_in_english(self, app, place, serve):
        first, second = (serve(f"{place.url}?lang=en", using=app.test_client())
                         for _ in range(2))
        assert first.post().status_code == 303
        refused = second.post(headers={"Cookie": "lang=en"})
        html = Walk(second.client, place.unit.name, place.counter.name).page(refused, 429)
        assert "Too many" in html
