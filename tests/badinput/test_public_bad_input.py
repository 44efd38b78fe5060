"""The citizen form (POST /s/<token>, /p/<token>) under bad input: refused in Vietnamese with
nothing written, or stored exactly as cleaned; never a 500."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from survey_app.domain.paper.serials import new_serial
from survey_app.domain.submissions.antistuffing import DEVICE_COOKIE
from survey_app.extensions import db
from survey_app.models import Response, Sheet, SheetBatch
from tests.badinput.conftest import (
    BAD_VALUES,
    IGNORED,
    TEXTS,
    changed_tables,
    cleaned,
    table_counts,
)
from tests.public.public_support import full_answers

#: Field names that are not items of the questionnaire.
UNKNOWN_FIELDS = ["zz9", "tc99", "TC1", "tc1 ", "<b>x</b>", "comment[]", "ph1", "'; --"]
#: Bodies that are not what a browser sends for this form.
ODD_BODIES = [
    b"comment=%FF%FE%C3%28",  # invalid UTF-8
    b"comment=ok%00%00&gender=%00",  # NUL bytes
    b"tc1=%E1%BB",  # truncated UTF-8 sequence
    b"&&&==&=&",
    b"tc1",
]


@pytest.fixture
def sheet_url(place) -> str:
    """The online address of one printed paper sheet of the place's campaign."""
    batch = SheetBatch(campaign_id=place.campaign.id, unit_id=place.unit.id, sheet_count=1)
    batch.sheets = [Sheet(serial=new_serial())]
    db.session.add(batch)
    db.session.commit()
    return f"/p/{batch.sheets[0].token}"


def stored_comments() -> list[str | None]:
    db.session.rollback()
    return list(db.session.scalars(select(Response.comment).order_by(Response.id)))


def test_free_text_comments_are_stored_exactly_as_cleaned(client, place, serve):
    for text in TEXTS:
        client.delete_cookie(DEVICE_COOKIE)  # one phone per citizen: no repeat-press guard
        before = table_counts()
        posted = serve(place.url).post(full_answers(comment=text))
        assert posted.status_code == 303, text
        assert stored_comments()[-1] == (cleaned(text) or None)
        # One phone sending them all is a burst: flagging earlier ones is audited.
        assert changed_tables(before, ignore=IGNORED) == {"response": 1, "answer": 22}


def test_a_sheet_answered_online_stores_its_comment_as_cleaned(place, serve, sheet_url):
    text = TEXTS[1] + TEXTS[-1]
    assert serve(sheet_url).post(full_answers(comment=text)).status_code == 303
    assert stored_comments() == [cleaned(text)]


@pytest.mark.parametrize("form", ["counter", "sheet"])
def test_values_off_the_scale_are_refused_and_nothing_is_written(place, serve, sheet_url,
                                                                 form):
    url = place.url if form == "counter" else sheet_url
    before = table_counts()
    for value in BAD_VALUES:
        refused = serve(url).post(full_answers(tc2=value))
        assert refused.status_code == 400, value
        html = refused.get_data(as_text=True)
        assert "Phiếu chưa gửi được" in html and "không hợp lệ" in html
    assert changed_tables(before) == {}


def test_unknown_item_codes_are_refused_and_named_as_text(place, serve):
    before = table_counts()
    for name in UNKNOWN_FIELDS:
        refused = serve(place.url).post({**full_answers(), name: "5"})
        assert refused.status_code == 400, name
        html = refused.get_data(as_text=True)
        assert "trường không thuộc bảng hỏi" in html
        assert "<b>x</b>" not in html
    assert changed_tables(before) == {}


def test_malformed_bodies_never_cause_a_500(client, place, serve):
    before = table_counts()
    for body in ODD_BODIES:
        form = serve(place.url)
        reply = client.post(place.url, data=urlencode(form.hidden).encode() + b"&" + body,
                            content_type="application/x-www-form-urlencoded")
        assert 400 <= reply.status_code < 500, body
        assert "Phiếu chưa gửi được" in reply.get_data(as_text=True)
    assert changed_tables(before) == {}


OVERSIZED = [33 * 1024, 2 * 1024 * 1024]


def test_an_oversized_body_gets_the_friendly_413(client, place, serve):
    before = table_counts()
    for size in OVERSIZED:
        refused = serve(place.url).post({**full_answers(), "comment": "ư" * (size // 2)})
        assert refused.status_code == 413
        assert "Nội dung gửi lên quá lớn" in refused.get_data(as_text=True)
    assert changed_tables(before) == {}


def test_five_thousand_fields_are_refused(client, place, serve):
    form = serve(place.url)
    before = table_counts()
    data = urlencode({**form.hidden, **full_answers(), **{f"f{i}": "" for i in range(5000)}})
    refused = client.post(place.url, data=data,
                          content_type="application/x-www-form-urlencoded")
    assert refused.status_code in (400, 413)
    assert "Phiếu" in refused.get_data(as_text=True) or "quá lớn" in refused.get_data(
        as_text=True)
    assert changed_tables(before) == {}


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(comment=st.text(max_size=120), value=st.one_of(st.sampled_from([*BAD_VALUES, "3"]),
                                                      st.text(max_size=6)))
def test_generated_comments_and_values_are_stored_cleaned_or_refused(client, place, serve,
                                                                     comment, value):
    client.delete_cookie(DEVICE_COOKIE)
    before = table_counts()
    reply = serve(place.url).post(full_answers(comment=comment, tc3=value))
    assert reply.status_code in (303, 400, 422)
    if reply.status_code == 303:
        assert changed_tables(before, ignore=IGNORED) == {  # a burst is audited
            "response": 1, "answer": 22 if value else 21}
        db.session.rollback()
        newest = db.session.scalar(select(Response).order_by(Response.id.desc()).limit(1))
        assert newest.comment == (cleaned(comment) or None)
        if value:
            assert value in {"0", "1", "2", "3", "4", "5"}
            assert newest.answer_values()["tc3"] == int(value)
        else:
            assert "tc3" not in newest.answer_values()
    else:
        assert changed_tables(before) == {}
