"""The citizen form in English: the instrument's English wording, Vietnamese where it has none."""

from __future__ import annotations

import copy
import gzip
import re
from typing import Any

import pytest
from markupsafe import escape

from questionnaires import instrument_files, resolved_definition, shipped_instruments
from survey_app.domain.campaigns.instruments import definition_digest
from survey_app.extensions import db
from survey_app.models import InstrumentVersion, utcnow
from tests.public.public_support import (
    PAGE_BUDGET,
    full_answers,
    hidden_fields,
    marked_vietnamese,
    vietnamese_left,
)

NO_ENGLISH = "This questionnaire has no English wording yet"
SOME_ENGLISH = "Some parts of this questionnaire have no English wording yet"
MARKER = " (Vietnamese only)"


def _without_english(value: Any, keep: frozenset[str] = frozenset()) -> Any:
    """A definition with every ``*_en`` key dropped (except those of the items in ``keep``)."""
    if isinstance(value, dict):
        kept = value.get("code") in keep
        return {key: _without_english(part, keep) for key, part in value.items()
                if kept or not key.endswith("_en")}
    if isinstance(value, list):
        return [_without_english(part, keep) for part in value]
    return value


def _publish(definition: dict) -> None:
    db.session.add(InstrumentVersion(code=definition["code"], version=definition["version"],
                                     title=definition["title"], definition=definition,
                                     digest=definition_digest(definition),
                                     published_at=utcnow()))
    db.session.commit()


def _shipped_definition(code: str) -> dict:
    path = next(p for p in instrument_files() if p.stem == code)
    return copy.deepcopy(resolved_definition(path))


@pytest.mark.parametrize("code", ["sipas-2640", "sipas-1001-dvhcc"])
def test_the_english_form_shows_the_instruments_english_wording(client, make_unit,
                                                                make_campaign, code):
    instrument = shipped_instruments()[code]
    blocks = [block.code for block in instrument.blocks]
    unit = make_unit()
    make_campaign([unit], instrument=code, optional_blocks=blocks)
    html = client.get(f"/s/{unit.counters[0].token}?lang=en").get_data(as_text=True)
    assert f"<h1>{escape(instrument.title_en)}</h1>" in html
    assert f"<p>{escape(instrument.intro_en)}</p>" in html
    for element in instrument.elements:
        assert f"<h2>{escape(element.title_en)}</h2>" in html
        assert f">{escape(element.title)}<" not in html
    for block in instrument.blocks:
        assert f"<h2>{escape(block.title_en)}</h2>\n<p>{escape(block.prompt_en)}</p>" in html
    for number, item in enumerate(instrument.items_for(blocks), 1):
        assert f"<legend>{number}. {escape(item.text_en)}</legend>" in html
        assert str(escape(item.text)) not in html
    assert html.count(">Very satisfied</label>") == len(instrument.rating_items)
    assert html.count(">Not applicable / no opinion</label>") == len(instrument.rating_items)
    assert "<legend>You are answering as (required)</legend>" in html
    assert ">A representative of an organisation</label>" in html and ">Over 60 years<" in html
    assert 'for="comment">Any other comments (optional)</label>' in html
    # Nothing fell back to Vietnamese: no note, and the only Vietnamese is the language link.
    assert NO_ENGLISH not in html and SOME_ENGLISH not in html and MARKER not in html
    assert re.findall(r'<[^>]+lang="vi"[^>]*>', html) == [
        f'<a href="/s/{unit.counters[0].token}?lang=vi" lang="vi" hreflang="vi">']


def test_the_english_page_stays_within_the_weight_budget(client, place):
    body = client.get(f"{place.url}?lang=en").get_data()
    assert len(gzip.compress(body)) <= PAGE_BUDGET


def test_an_instrument_without_english_is_shown_in_vietnamese_with_a_note(client, make_unit,
                                                                          make_campaign):
    definition = _without_english(_shipped_definition("sipas-2640"))
    definition["code"] = "thu-khong-tieng-anh"
    _publish(definition)
    unit = make_unit()
    make_campaign([unit], instrument="thu-khong-tieng-anh")
    url = f"/s/{unit.counters[0].token}"
    html = client.get(f"{url}?lang=en").get_data(as_text=True)
    assert NO_ENGLISH in html
    assert '<legend lang="vi">1. Nơi ngồi chờ có đủ chỗ ngồi</legend>' in html
    assert '<h2 lang="vi">Tiếp cận dịch vụ</h2>' in html
    assert html.count('<label lang="vi"><input type="radio"') > 22 * 6
    assert '<legend lang="vi">Ông/Bà là<span lang="en"> (required)</span></legend>' in html
    assert MARKER not in html  # the one note says it for the whole questionnaire
    assert ">Send</button>" in html  # the interface itself is still English
    vietnamese = client.get(f"{url}?lang=vi").get_data(as_text=True)
    assert "tiếng Anh" not in vietnamese and "<legend>1. Nơi ngồi chờ có đủ chỗ ngồi</legend>" \
        in vietnamese


def test_only_the_questions_without_english_are_marked(client, make_unit, make_campaign):
    definition = _shipped_definition("sipas-2640")
    definition["code"] = "thu-mot-phan"
    definition["elements"][0]["items"][1].pop("text_en")  # tc2
    _publish(definition)
    unit = make_unit()
    make_campaign([unit], instrument="thu-mot-phan")
    html = client.get(f"/s/{unit.counters[0].token}?lang=en").get_data(as_text=True)
    assert SOME_ENGLISH in html and NO_ENGLISH not in html
    assert ('<legend lang="vi">2. Trang thiết bị phục vụ người dân đầy đủ'
            '<span lang="en"> (Vietnamese only)</span></legend>') in html
    assert "<legend>1. The waiting area has enough seats</legend>" in html
    assert html.count(MARKER) == 1


#: A tiny instrument: one element of two items, one profile question. Only some of its texts
#: have an English wording (title, the first item, two of the three answers).
TINY = {
    "code": "thu-nho", "version": 1, "title": "Phiếu nhỏ", "title_en": "A small form",
    "source": "Bộ phiếu thử", "intro": "Xin cho biết ý kiến.",
    "scales": {"hai-long": {"rating": True, "satisfied": [2], "not_applicable": "Không rõ",
                            "options": [{"value": 1, "label": "Chưa tốt", "label_en": "Poor"},
                                        {"value": 2, "label": "Tốt", "label_en": "Good"}]}},
    "elements": [{"code": "e1", "title": "Quầy tiếp nhận", "scale": "hai-long",
                  "items": [{"code": "a1", "text": "Chỗ ngồi đủ", "text_en": "Enough seats"},
                            {"code": "a2", "text": "Cán bộ niềm nở"}]}],
    "profile": [{"code": "respondent_type", "label": "Ông/Bà là", "required": True,
                 "options": [{"value": "ca_nhan", "label": "Cá nhân"},
                             {"value": "to_chuc", "label": "Tổ chức"}]}],
}


def test_a_tiny_instrument_with_some_english_marks_every_vietnamese_text(client, make_unit,
                                                                         make_campaign):
    _publish(copy.deepcopy(TINY))
    unit = make_unit()
    campaign = make_campaign([unit], instrument="thu-nho")
    url = f"/s/{unit.counters[0].token}?lang=en"
    names = (unit.name, unit.counters[0].name, campaign.name)
    html = client.get(url).get_data(as_text=True)
    assert SOME_ENGLISH in html and "<h1>A small form</h1>" in html
    # Every Vietnamese text left is a wording the instrument lacks in English, marked as such.
    assert vietnamese_left(html, names) == []
    assert marked_vietnamese(html) == [
        "Xin cho biết ý kiến.", "Quầy tiếp nhận", "Không rõ", "2. Cán bộ niềm nở",
        "Không rõ", "Ông/Bà là", "Cá nhân", "Tổ chức"]
    assert ('<legend lang="vi">2. Cán bộ niềm nở<span lang="en"> (Vietnamese only)</span>'
            '</legend>') in html
    assert ('<legend lang="vi">Ông/Bà là<span lang="en"> (required) (Vietnamese only)</span>'
            '</legend>') in html
    assert "<legend>1. Enough seats</legend>" in html and ">Good</label>" in html
    # The refusal names the question in the only wording it has, the message in English.
    refused = client.post(url.split("?")[0], data=hidden_fields(html))
    assert "Please choose an answer to “Ông/Bà là”." in refused.get_data(as_text=True)


def test_the_validation_messages_follow_the_language(client, make_unit, make_campaign, serve):
    unit = make_unit(field_codes=["ho_tich"])
    make_campaign([unit])
    url = f"/s/{unit.counters[0].token}"
    answers = full_answers(gender="ong", field="dat_dai", comment="x" * 2001)
    del answers["respondent_type"]
    english = serve(f"{url}?lang=en").post(answers).get_data(as_text=True)
    assert "Please choose an answer to “You are answering as”." in english
    assert "Gender: the choice “ong” is not valid." in english
    assert "The field “Land” is not handled by Xã Thử." in english
    assert "Your comment is 2,001 characters long; at most 2,000 characters are allowed." \
        in english
    vietnamese = serve(f"{url}?lang=vi").post(answers).get_data(as_text=True)
    assert "Vui lòng chọn một ý cho câu “Ông/Bà là”." in vietnamese
    assert "Giới tính: lựa chọn “ong” không hợp lệ." in vietnamese
    assert "Lĩnh vực “Đất đai” không thuộc Xã Thử." in vietnamese
    assert "Ý kiến dài 2.001 ký tự; tối đa 2.000 ký tự." in vietnamese
