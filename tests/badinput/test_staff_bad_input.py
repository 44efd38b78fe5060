"""Paper entry, corrections and the admin forms under bad input: a 4xx with a Vietnamese
message and nothing written, or the cleaned value stored and rendered as text everywhere."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from survey_app.domain.paper.serials import display_serial
from survey_app.extensions import db
from survey_app.models import Counter, Response, ResponseStatus, Role, Unit, User
from tests.badinput.conftest import (
    BAD_VALUES,
    FORMULAS,
    MARKUP,
    SQL,
    TEXTS,
    UNICODE,
    assert_shown_as_text,
    changed_tables,
    cleaned,
    table_counts,
)
from tests.results.counting_support import ITEMS_2640

BAD_SERIALS = ["", "1234", "abcd-efgh", "١٢٣٤٥٦٧٨", "'; DROP TABLE response;--", "\x00",
               "9" * 5000, "0000-0000"]
BAD_UNIT_CODES = ["", "A", "xa thu", "xã-thu", "x" * 41, "'; DROP TABLE unit;--", "a\x00b",
                  "<b>"]
BAD_PARENTS = ["abc", "99999999999999999999", "-1", "1.5"]
BAD_FIELD_CODES = ["Hộ tịch", "<x>", "a" * 41, "=1+1"]
BAD_COUNTER_NAMES = ["", "   ", "\u200b\u202e", "x" * 201]
BAD_DATES = ["31/02/2026", "2026-13-01", "abc", "١/١/٢٠٢٦", "32/1/2026"]
BAD_SHARES = ["abc", "NaN", "Infinity", "1e400", "-0,5", "0", "2", "%"]
BAD_CAMPAIGN_CODES = ["", "Đợt 1", "a b", "<script>", "x" * 41]
BAD_TARGETS = ["-1", "abc", "1,5", "99999999999999999999", "1e3"]
BAD_USERNAMES = ["", "Nguyễn", "a b", "<script>", "'; DROP TABLE app_user;--", "a\x00",
                 "x" * 81, "---"]
BAD_PROFILE = ["<script>", "ong", "nam\x00x", "ca_nhan'--"]


def typed(serial: str, **changes: str) -> dict[str, str]:
    form = {"serial": display_serial(serial), **dict.fromkeys(ITEMS_2640, "4"),
            "respondent_type": "ca_nhan", "comment": "Tốt"}
    form.update(changes)
    return form


def paper_responses() -> list[Response]:
    db.session.rollback()
    return list(db.session.scalars(select(Response).order_by(Response.id)))


def test_typed_digits_off_the_scale_are_refused_and_nothing_is_written(client, desk):
    serials = desk[3]
    before = table_counts()
    for value in BAD_VALUES:
        refused = client.post("/staff/entry", data=typed(serials[0], cc2=value))
        assert refused.status_code == 422, value
        assert "chỉ nhập một chữ số từ 1 đến 5" in refused.get_data(as_text=True)
    for value in BAD_PROFILE:
        refused = client.post("/staff/entry", data=typed(serials[0], gender=value))
        assert refused.status_code == 422, value
        assert "<script>" not in refused.get_data(as_text=True)
    assert changed_tables(before) == {}


def test_bad_serials_are_refused_in_vietnamese(client, desk):
    before = table_counts()
    for serial in BAD_SERIALS:
        form = typed("12345678")
        form["serial"] = serial
        refused = client.post("/staff/entry", data=form)
        assert refused.status_code == 422, serial
        assert "Số phiếu" in refused.get_data(as_text=True) or "số phiếu" in \
            refused.get_data(as_text=True)
    assert changed_tables(before) == {}


def test_unknown_fields_in_paper_entry_are_ignored_not_stored(client, desk):
    assert client.post("/staff/entry", data=typed(desk[3][0], zz9="5", tc99="1")).status_code \
        == 303
    [response] = paper_responses()
    assert set(response.answer_values()) == set(ITEMS_2640)


def test_typed_comments_are_stored_cleaned_and_shown_as_text_on_the_correction_page(
        client, desk):
    serials = desk[3]
    texts = [MARKUP[0], MARKUP[1] + FORMULAS[4], SQL[0] + UNICODE[2], UNICODE[1]]
    for serial, text in zip(serials, texts, strict=False):
        assert client.post("/staff/entry", data=typed(serial, comment=text)).status_code == 303
    for response, text in zip(paper_responses(), texts, strict=True):
        assert response.comment == cleaned(text)
        page = client.get(f"/staff/entry/{response.id}/edit")
        assert page.status_code == 200
        assert_shown_as_text(page.get_data(as_text=True), cleaned(text))


def test_a_correction_with_bad_input_changes_nothing(client, desk):
    serial = desk[3][0]
    assert client.post("/staff/entry", data=typed(serial)).status_code == 303
    [response] = paper_responses()
    before = table_counts()
    for value in BAD_VALUES[:6]:
        refused = client.post(f"/staff/entry/{response.id}/edit", data=typed(serial, tt1=value))
        assert refused.status_code == 422
    refused = client.post(f"/staff/entry/{response.id}/edit",
                          data=typed(serial, comment="x" * 2001))
    assert refused.status_code == 422 and "tối đa 2.000 ký tự" in refused.get_data(as_text=True)
    assert changed_tables(before) == {}
    [again] = paper_responses()
    assert set(again.answer_values().values()) == {4} and again.comment == "Tốt"
    fixed = client.post(f"/staff/entry/{response.id}/edit", data=typed(serial, comment=MARKUP[4]))
    assert fixed.status_code == 303
    assert paper_responses()[0].comment == MARKUP[4]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(serial=st.text(max_size=12), digit=st.text(max_size=3), comment=st.text(max_size=60))
def test_generated_paper_entries_never_cause_a_500(client, desk, serial, digit, comment):
    before = table_counts()
    form = typed(desk[3][4], tc1=digit, comment=comment)
    form["serial"] = serial
    reply = client.post("/staff/entry", data=form)
    assert reply.status_code in (303, 422)
    if reply.status_code == 422:
        assert changed_tables(before) == {}
    else:
        stored = paper_responses()[-1]
        assert stored.comment == (cleaned(comment) or None)
        db.session.delete(stored)
        db.session.commit()


# --- Admin forms -------------------------------------------------------------------------


def unit_form(**changes: str) -> dict[str, str]:
    return {"code": "xa-moi", "name": "Xã Mới", "kind": "commune", "parent_id": "0",
            "field_codes": "", **changes}


def test_unit_names_are_stored_cleaned_and_shown_as_text(client, admin):
    names = TEXTS
    for number, name in enumerate(names):
        reply = client.post("/admin/units/new", data=unit_form(code=f"dv-{number}", name=name))
        if not cleaned(name):
            assert reply.status_code == 400
            continue
        assert reply.status_code == 302, name
    db.session.rollback()
    stored = dict(db.session.execute(select(Unit.code, Unit.name)).all())
    listing = client.get("/admin/units").get_data(as_text=True)
    audit = client.get("/admin/audit").get_data(as_text=True)
    for number, name in enumerate(names):
        if cleaned(name):
            assert stored[f"dv-{number}"] == cleaned(name)
            assert_shown_as_text(listing, cleaned(name))
    assert "<script>alert(1)" not in audit and "<img src=x" not in audit


def test_bad_unit_fields_are_refused_and_nothing_is_written(client, admin):
    before = table_counts()
    cases = ([{"code": code} for code in BAD_UNIT_CODES]
             + [{"parent_id": parent} for parent in BAD_PARENTS]
             + [{"field_codes": codes} for codes in BAD_FIELD_CODES]
             + [{"kind": "city"}, {"name": ""}, {"name": "\u200b"}, {"name": "ư" * 201}])
    for case in cases:
        reply = client.post("/admin/units/new", data=unit_form(**case))
        assert reply.status_code == 400, case
        html = reply.get_data(as_text=True)
        assert any(word in html for word in ("Mã", "Vui lòng", "Lựa chọn", "Tối đa", "Tên")), case
    assert changed_tables(before) == {}


def test_a_unit_id_beyond_the_integer_range_is_a_404(client, admin):
    reply = client.post("/admin/units/99999999999999999999", data=unit_form())
    assert reply.status_code == 404


def test_counter_names_are_stored_cleaned_shown_as_text_or_refused(client, admin, make_unit):
    unit = make_unit()
    before = table_counts()
    for name in BAD_COUNTER_NAMES:
        reply = client.post(f"/admin/units/{unit.id}/counters", data={"name": name})
        assert reply.status_code == 400, name
    assert changed_tables(before) == {}
    for name in MARKUP + FORMULAS[:2] + UNICODE[1:4]:
        assert client.post(f"/admin/units/{unit.id}/counters",
                           data={"name": name}).status_code == 302
    db.session.rollback()
    stored = list(db.session.scalars(select(Counter.name).where(Counter.unit_id == unit.id)
                                     .order_by(Counter.id)))[1:]
    assert stored == [cleaned(name) for name in MARKUP + FORMULAS[:2] + UNICODE[1:4]]
    page = client.get(f"/admin/units/{unit.id}/counters").get_data(as_text=True)
    for name in stored:
        assert_shown_as_text(page, name)


def campaign_form(unit_id: int, **changes) -> dict:
    return {"code": "dot-moi", "name": "Đợt mới", "instrument_version_id": "1",
            "starts_on": "01/01/2026", "deadline": "31/12/2026",
            "headline_method": "mean-of-elements", "valid_threshold": "0,5",
            "margin_of_error": "0,05", "unit_ids": [str(unit_id)], **changes}


def test_bad_campaign_fields_are_refused_and_nothing_is_written(client, admin, make_unit,
                                                                make_campaign):
    unit = make_unit()
    make_campaign([unit], code="co-san")  # publishes the instrument
    before = table_counts()
    cases = ([{"starts_on": d} for d in BAD_DATES] + [{"deadline": d} for d in BAD_DATES[:2]]
             + [{"valid_threshold": s} for s in BAD_SHARES]
             + [{"margin_of_error": s} for s in BAD_SHARES[:4]]
             + [{"code": c} for c in BAD_CAMPAIGN_CODES]
             + [{"instrument_version_id": "abc"}, {"unit_ids": ["abc"]},
                {"headline_method": "<script>"}, {"optional_blocks": ["zz"]},
                {"starts_on": "31/12/2026", "deadline": "01/01/2026"}])
    for case in cases:
        reply = client.post("/admin/campaigns/new", data=campaign_form(unit.id, **case))
        assert reply.status_code == 400, case
        assert "<script>" not in reply.get_data(as_text=True)
    assert changed_tables(before) == {}


def test_campaign_names_are_stored_cleaned(client, admin, make_unit, make_campaign):
    from survey_app.models import Campaign
    unit = make_unit()
    make_campaign([unit], code="co-san")
    texts = [MARKUP[0], FORMULAS[0], SQL[0], UNICODE[1]]
    for number, text in enumerate(texts):
        reply = client.post("/admin/campaigns/new",
                            data=campaign_form(unit.id, code=f"d-{number}", name=text))
        assert reply.status_code == 302
    db.session.rollback()
    names = dict(db.session.execute(select(Campaign.code, Campaign.name)).all())
    assert [names[f"d-{n}"] for n in range(len(texts))] == [cleaned(t) for t in texts]
    listing = client.get("/admin/campaigns").get_data(as_text=True)
    assert_shown_as_text(listing, texts[0])


def test_bad_targets_are_refused_and_nothing_is_written(client, admin, make_unit,
                                                        make_campaign):
    unit = make_unit()
    campaign = make_campaign([unit], code="co-san")
    before = table_counts()
    for value in BAD_TARGETS:
        reply = client.post(f"/admin/campaigns/{campaign.id}/targets",
                            data={f"take_{unit.id}": "1", f"n_{unit.id}": value})
        assert reply.status_code == 400, value
        assert "số" in reply.get_data(as_text=True)
    assert changed_tables(before) == {}


def test_a_superscript_digit_target_is_refused(client, admin, make_unit, make_campaign):
    unit = make_unit()
    campaign = make_campaign([unit], code="co-san")
    reply = client.post(f"/admin/campaigns/{campaign.id}/targets",
                        data={f"take_{unit.id}": "1", f"n_{unit.id}": "²"})
    assert reply.status_code == 400


def test_bad_usernames_are_refused_and_nothing_is_written(client, admin):
    before = table_counts()
    for username in BAD_USERNAMES:
        reply = client.post("/admin/users/new", data={"username": username, "full_name": "A",
                                                      "role": "viewer"})
        assert reply.status_code == 400, username
        assert "<script>" not in reply.get_data(as_text=True)
    for role in ("superuser", "<script>", ""):
        reply = client.post("/admin/users/new", data={"username": "moi", "full_name": "A",
                                                      "role": role})
        assert reply.status_code == 400
    assert changed_tables(before) == {}


def test_full_names_are_stored_cleaned_and_shown_as_text(client, admin):
    texts = [MARKUP[0], MARKUP[1], FORMULAS[3], SQL[0], UNICODE[1], UNICODE[2]]
    for number, text in enumerate(texts):
        reply = client.post("/admin/users/new", data={"username": f"nguoi{number}",
                                                      "full_name": text, "role": "viewer"})
        assert reply.status_code == 200 and "Mật khẩu" in reply.get_data(as_text=True)
    db.session.rollback()
    names = dict(db.session.execute(select(User.username, User.full_name)).all())
    assert [names[f"nguoi{n}"] for n in range(len(texts))] == [cleaned(t) for t in texts]
    listing = client.get("/admin/users").get_data(as_text=True)
    for text in texts:
        assert_shown_as_text(listing, cleaned(text))
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert "<script>alert(1)" not in audit and "<img src=x" not in audit


@pytest.mark.parametrize("query", ["date_to=31/12/9999", "date_from=01/01/0001"])
def test_audit_filter_dates_at_the_calendar_ends_are_refused(client, admin, query):
    assert client.get(f"/admin/audit?{query}").status_code < 500


def test_odd_audit_filters_get_a_4xx_or_a_page(client, admin):
    for query in ["user_id=abc", "action=%3Cscript%3E", "date_from=31/02/2026",
                  "page=99999999999999999999", "page=-5", "object_type=%00"]:
        reply = client.get(f"/admin/audit?{query}")
        assert reply.status_code in (200, 400), query
        assert "<script>" not in reply.get_data(as_text=True)


def test_approving_a_campaign_code_with_a_nul_is_refused(client, admin, make_unit,
                                                         make_campaign):
    make_campaign([make_unit()], code="co-san")
    before = table_counts()
    for code in ["co-san\x00", "'; DROP TABLE campaign;--", "%", ""]:
        reply = client.post("/results/approve", data={"campaign": code})
        assert 400 <= reply.status_code < 500, code
    assert changed_tables(before) == {}


def test_flagged_list_shows_unit_and_campaign_names_as_text(client, make_unit, make_campaign,
                                                            make_user, login_as, add_responses):
    unit = make_unit("xa-co", MARKUP[1])
    campaign = make_campaign([unit], code="dot-co")
    campaign.name = MARKUP[0]
    db.session.commit()
    add_responses(campaign, unit, 1, status=ResponseStatus.FLAGGED)
    user, _ = make_user("quantri2", Role.ADMIN)
    login_as(user)
    page = client.get("/staff/flagged")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert_shown_as_text(html, MARKUP[1])
    assert_shown_as_text(html, MARKUP[0])


#: Raw bodies posted to staff forms: invalid UTF-8, NUL bytes, 5,000 fields, > 8 MB.
STAFF_BODIES = [
    b"serial=%FF%FE&comment=%C3%28&name=%E1%BB",
    b"serial=%00%00&code=%00&name=%00&comment=%00",
    b"&".join(b"f%d=1" % number for number in range(5000)),
    b"comment=" + b"a" * (9 * 1024 * 1024),
]


@pytest.mark.parametrize("url", ["/staff/entry", "/admin/units/new", "/admin/users/new"])
def test_malformed_and_oversized_staff_bodies_get_a_4xx(client, admin, make_unit,
                                                        make_campaign, url):
    make_campaign([make_unit()], code="co-san")
    before = table_counts()
    for body in STAFF_BODIES:
        reply = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
        assert 400 <= reply.status_code < 500, (url, body[:40])
        html = reply.get_data(as_text=True)
        assert '<html lang="vi">' in html
    assert changed_tables(before) == {}


def test_second_typing_refuses_bad_digits_and_shows_comments_as_text(client, desk, make_user,
                                                                     login_as):
    unit, _, _, serials = desk
    assert client.post("/staff/entry", data=typed(serials[0])).status_code == 303
    db.session.rollback()  # end the test's read snapshot before writing from it
    checker, _ = make_user("canbo-2", units=[db.session.get(Unit, unit.id)])
    login_as(checker)
    before = table_counts()
    for value in BAD_VALUES:
        refused = client.post("/staff/verify", data=typed(serials[0], kq2=value))
        assert refused.status_code == 422, value
    assert changed_tables(before) == {}
    differs = client.post("/staff/verify", data=typed(serials[0], comment=MARKUP[1]))
    assert differs.status_code == 303
    page = client.get(differs.headers["Location"])
    assert page.status_code == 200
    assert_shown_as_text(page.get_data(as_text=True), MARKUP[1])
