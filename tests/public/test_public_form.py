"""The citizen form as served: which campaign a counter link opens, the page itself, its weight."""

from __future__ import annotations

import gzip
import re
from datetime import date
from html.parser import HTMLParser

import pytest

from survey_app.extensions import db
from survey_app.models import CampaignState, CampaignUnit
from survey_app.support.dates import today_local
from tests.public.public_support import PAGE_BUDGET, RATING_CODES


class FormStructure(HTMLParser):
    """Counts what accessibility depends on: labelled controls, legends, external requests."""

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.fieldsets = self.legends = 0
        self.radios_outside_labels = 0
        self.radios: dict[str, list[str]] = {}
        self.label_targets: set[str] = set()
        self.ids: set[str] = set()
        self.textareas: list[str] = []
        self.external: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for name in ("src", "href", "action"):
            if attrs.get(name, "").startswith(("http:", "https:", "//")):
                self.external.append(attrs[name])
        if tag == "fieldset":
            self.fieldsets += 1
        elif tag == "legend":
            self.legends += 1
        elif tag == "label" and "for" in attrs:
            self.label_targets.add(attrs["for"])
        elif tag == "textarea":
            self.textareas.append(attrs.get("id", ""))
        elif tag == "script":
            self.scripts += 1
        elif tag == "input" and attrs.get("type") == "radio":
            self.radios.setdefault(attrs["name"], []).append(attrs["value"])
            if "label" not in self.stack:
                self.radios_outside_labels += 1
        if tag not in ("input", "meta", "br"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass


def test_a_counter_link_opens_the_22_item_questionnaire(client, place):
    page = client.get(place.url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "Phiếu khảo sát sự hài lòng về sự phục vụ hành chính" in html
    for title in ("Tiếp cận dịch vụ", "Thủ tục hành chính", "Công chức giải quyết công việc",
                  "Kết quả cung ứng dịch vụ", "Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị"):
        assert f"<h2>{title}</h2>" in html
    assert "1. Nơi ngồi chờ có đủ chỗ ngồi" in html
    assert "22. Cơ quan có thông báo kết quả xử lý góp ý, phản ánh, kiến nghị kịp thời" in html
    structure = FormStructure()
    structure.feed(html)
    for code in RATING_CODES:
        assert structure.radios[code] == ["1", "2", "3", "4", "5", "0"]
    assert html.count(">Rất không hài lòng</label>") == 22
    assert html.count(">Không áp dụng / không ý kiến</label>") == 22
    assert structure.radios["respondent_type"] == ["ca_nhan", "to_chuc"]
    assert structure.radios["age_band"] == ["18-24", "25-34", "35-49", "50-60", "60+"]
    assert 'maxlength="2000"' in html
    assert "Xã Thử" in html and "Quầy Xã Thử" in html


def test_every_control_is_labelled_and_every_question_has_a_legend(client, place):
    structure = FormStructure()
    structure.feed(client.get(place.url).get_data(as_text=True))
    assert structure.fieldsets == structure.legends == 22 + 5  # items + profile choices
    assert structure.radios_outside_labels == 0
    assert structure.textareas == ["comment"]
    assert "comment" in structure.label_targets


def test_the_page_needs_nothing_else_to_render(client, place):
    page = client.get(place.url)
    html = page.get_data(as_text=True)
    structure = FormStructure()
    structure.feed(html)
    assert structure.external == [] and structure.scripts == 0
    assert "@font-face" not in html and "@import" not in html
    # The one link is an empty inline icon, so the phone does not also ask for /favicon.ico.
    assert re.findall(r"<link[^>]*>", html) == ['<link rel="icon" href="data:,">']
    nonce = re.search(r'<style nonce="([^"]+)">', html).group(1)
    assert f"'nonce-{nonce}'" in page.headers["Content-Security-Policy"]
    assert html.count("<style") == 1 and ' style="' not in html
    assert page.headers["Cache-Control"] == "private, no-cache"


def test_the_page_stays_within_its_weight_budget(client, place):
    body = client.get(place.url).get_data()
    compressed = len(gzip.compress(body))
    print(f"\ncitizen form sipas-2640 (22 items): {len(body):,} bytes, "
          f"{compressed:,} bytes gzip-compressed (budget {PAGE_BUDGET:,})")
    assert compressed <= PAGE_BUDGET


def test_the_field_question_offers_only_the_units_own_fields(client, make_unit, make_campaign):
    unit = make_unit(code="p-tu-phap", name="Phòng Tư pháp",
                     field_codes=["ho_tich", "chung_thuc", "khac"])
    make_campaign([unit])
    html = client.get(f"/s/{unit.counters[0].token}").get_data(as_text=True)
    structure = FormStructure()
    structure.feed(html)
    assert structure.radios["field"] == ["ho_tich", "chung_thuc", "khac"]
    assert "Đất đai" not in html


def test_the_campaigns_optional_blocks_are_shown(client, make_unit, make_campaign):
    unit = make_unit()
    make_campaign([unit], instrument="sipas-1001-dvhcc", optional_blocks=["harassment"])
    html = client.get(f"/s/{unit.counters[0].token}").get_data(as_text=True)
    assert "Phiền hà, sách nhiễu và chi phí ngoài quy định" in html
    assert "17. Công chức gây phiền hà, sách nhiễu đối với Ông/Bà" in html
    assert "Mong đợi của người dân" not in html


@pytest.mark.parametrize("path", ["/s/khong-co-ma-nay", "/p/khong-co-ma-nay"])
def test_unknown_links_get_a_vietnamese_404(client, path):
    page = client.get(path)
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert "Không tìm thấy trang" in html and '<html lang="vi">' in html
    assert "app.css" not in html  # the lean layout, not the staff one


def test_revoked_counters_and_inactive_units_get_a_404(client, place):
    url = place.url
    place.counter.is_active = False
    db.session.commit()
    assert client.get(url).status_code == 404
    place.counter.is_active = True
    place.unit.is_active = False
    db.session.commit()
    assert client.get(url).status_code == 404


def test_a_regenerated_token_retires_the_old_link(client, place):
    old = place.url
    place.counter.regenerate_token()
    db.session.commit()
    assert client.get(old).status_code == 404
    assert client.get(place.url).status_code == 200


def test_a_campaign_not_started_says_when_it_runs(client, make_unit, make_campaign):
    unit = make_unit()
    campaign = make_campaign([unit], days_before=-5, days_after=20)
    html = client.get(f"/s/{unit.counters[0].token}").get_data(as_text=True)
    assert "Đợt khảo sát chưa bắt đầu" in html
    assert campaign.starts_on.strftime("%d/%m/%Y") in html
    assert campaign.deadline.strftime("%d/%m/%Y") in html
    assert 'name="k"' not in html


@pytest.mark.parametrize("how", ["deadline passed", "closed", "approved"])
def test_an_ended_campaign_says_when_it_ran(client, make_unit, make_campaign, how):
    unit = make_unit()
    if how == "deadline passed":
        campaign = make_campaign([unit], days_before=60, days_after=-1)
    else:
        campaign = make_campaign([unit])
        campaign.transition_to(CampaignState.CLOSED)
        if how == "approved":
            campaign.transition_to(CampaignState.APPROVED)
        db.session.commit()
    page = client.get(f"/s/{unit.counters[0].token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Đợt khảo sát đã kết thúc" in html and "Đợt thu" in html
    if how == "deadline passed":
        assert f"từ ngày {campaign.starts_on:%d/%m/%Y} đến ngày {campaign.deadline:%d/%m/%Y}" \
            in html
        assert "sớm" not in html
    else:  # closed before its deadline: when it really closed, and when it was meant to
        assert f"bắt đầu từ ngày {campaign.starts_on:%d/%m/%Y} và đã kết thúc sớm vào ngày " \
            f"{today_local():%d/%m/%Y} (dự kiến đến ngày {campaign.deadline:%d/%m/%Y})" in html
    assert 'name="k"' not in html


def test_a_campaign_closed_on_its_last_day_is_not_called_early(client, make_unit,
                                                               make_campaign):
    unit = make_unit()
    campaign = make_campaign([unit], days_before=30, days_after=0)
    campaign.transition_to(CampaignState.CLOSED)
    db.session.commit()
    html = client.get(f"/s/{unit.counters[0].token}").get_data(as_text=True)
    assert f"đến ngày {campaign.deadline:%d/%m/%Y}" in html and "sớm" not in html


def test_a_reopened_campaign_forgets_its_closing(client, make_unit, make_campaign):
    unit = make_unit()
    campaign = make_campaign([unit])
    campaign.transition_to(CampaignState.CLOSED)
    assert campaign.closed_at is not None
    campaign.transition_to(CampaignState.OPEN)
    db.session.commit()
    assert campaign.closed_at is None
    assert 'name="k"' in client.get(f"/s/{unit.counters[0].token}").get_data(as_text=True)


def test_without_any_campaign_the_page_says_so(client, make_unit, make_campaign):
    unit = make_unit()
    other = make_unit(code="xa-khac", name="Xã Khác")
    make_campaign([other])  # open, but not for this unit
    make_campaign([unit], code="nhap", state=CampaignState.DRAFT)  # drafts are not public
    html = client.get(f"/s/{unit.counters[0].token}").get_data(as_text=True)
    assert "Chưa có đợt khảo sát" in html and "Xã Thử" in html
    assert 'name="k"' not in html


def test_of_several_open_campaigns_the_latest_started_is_served(client, make_unit,
                                                                 make_campaign):
    unit = make_unit()
    make_campaign([unit], code="cu", days_before=40)
    make_campaign([unit], code="moi", instrument="sipas-1001-dvhcc", days_before=3)
    html = client.get(f"/s/{unit.counters[0].token}").get_data(as_text=True)
    assert "16. " in html and "17. " not in html and "22. " not in html  # sipas-1001: 16 items


def test_a_unit_dropped_from_the_campaign_gets_no_form(client, place):
    db.session.execute(db.delete(CampaignUnit))
    db.session.commit()
    assert "Chưa có đợt khảo sát" in client.get(place.url).get_data(as_text=True)


def test_the_interface_switches_to_english_and_remembers_it(client, place):
    page = client.get(f"{place.url}?lang=en")
    html = page.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert ">Send</button>" in html and "About you" in html
    # The instrument's English wording (the Vietnamese one is the official text).
    assert "<legend>1. The waiting area has enough seats</legend>" in html
    assert 'lang="vi">Tiếng Việt</a>' in html
    again = client.get(place.url).get_data(as_text=True)  # the cookie remembers the choice
    assert ">Send</button>" in again
    back = client.get(f"{place.url}?lang=vi").get_data(as_text=True)
    assert ">Gửi phiếu</button>" in back and 'lang="en">English</a>' in back


def test_dates_are_day_month_year_in_english_too(client, make_unit, make_campaign):
    unit = make_unit()
    campaign = make_campaign([unit], days_before=-3)
    campaign.starts_on, campaign.deadline = date(2031, 12, 3), date(2031, 12, 20)
    db.session.commit()
    html = client.get(f"/s/{unit.counters[0].token}?lang=en").get_data(as_text=True)
    assert "The survey has not started yet" in html
    assert "from 03/12/2031 to 20/12/2031" in html


def test_the_staff_home_page_is_unchanged_by_the_lean_layout(client, place):
    assert "app.css" in client.get("/").get_data(as_text=True)


def test_a_future_open_campaign_does_not_hide_the_current_one(client, make_unit, make_campaign):
    unit = make_unit()
    make_campaign([unit], code="nay")
    make_campaign([unit], code="sau", days_before=-10, days_after=40)
    assert 'name="k"' in client.get(f"/s/{unit.counters[0].token}").get_data(as_text=True)


def _luminance(colour: str) -> float:
    """Relative luminance (WCAG 2.2, §1.4.3 definitions) of a #rgb or #rrggbb colour."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    channels = [int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(first: str, second: str) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


#: Text colour → the backgrounds it is shown on, in the citizen pages' CSS.
TEXT_ON = {"#1b1b1b": ["#eef1f5", "#fff", "#e3edf8", "#fdecee"],
           "#4a4f57": ["#eef1f5", "#fff"], "#0b4f8a": ["#eef1f5", "#fff", "#fdecee", "#e3edf8"],
           "#fff": ["#0b4f8a"], "#a4262c": ["#fff", "#fdecee"]}


def test_text_and_controls_meet_wcag_aa_contrast(client, place):
    html = client.get(place.url).get_data(as_text=True)
    css = html[html.index("<style"):html.index("</style>")]
    assert set(re.findall(r"(?<![-\w])color:(#[0-9a-f]+)", css)) == set(TEXT_ON)
    for text, backgrounds in TEXT_ON.items():
        for background in backgrounds:
            assert _contrast(text, background) >= 4.5, (text, background)
    # Boundaries of the answer buttons and the focus outline (non-text contrast, 3:1).
    assert "border:1px solid #767676" in css and "outline:3px solid #0b4f8a" in css
    assert _contrast("#767676", "#fff") >= 3 and _contrast("#0b4f8a", "#eef1f5") >= 3
