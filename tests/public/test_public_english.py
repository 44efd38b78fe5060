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
from tests.public.public_support import PAGE_BUDGET

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
