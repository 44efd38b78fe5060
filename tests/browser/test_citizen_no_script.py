"""With JavaScript turned off the citizen form, its thank-you page and kiosk mode still work."""

from __future__ import annotations

import pytest

from tests.browser.citizen_support import (
    CITIZEN_CONFIG,
    COMMENT,
    PROFILE,
    checked_answers,
    fill_form,
    make_place,
    ratings,
    responses_at,
    served_key,
    stored_values,
)


@pytest.fixture(scope="module")
def live_server_config() -> dict:
    return CITIZEN_CONFIG


@pytest.fixture
def phone_without_script(open_page):
    return open_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                     java_script_enabled=False)


def test_the_form_is_answered_and_stored_without_javascript(live_server, phone_without_script):
    page = phone_without_script
    place = make_place(live_server, "noscript-phone")
    page.goto(place.url)
    assert page.locator("noscript, script").count() == 0
    key = served_key(live_server, page)
    rated = ratings("15")
    fill_form(page, rated)
    page.get_by_role("button", name="Gửi phiếu").tap()
    page.wait_for_url(place.thanks_url)
    assert page.locator("h1").inner_text() == "Cảm ơn Ông/Bà!"
    [stored] = responses_at(live_server, place)
    assert stored["channel"] == "qr" and stored["key"] == key
    assert stored["answers"] == stored_values(rated)
    assert stored["profile"] == {code: value for code, (value, _) in PROFILE.items()}
    assert stored["comment"] == COMMENT


def test_a_kiosk_without_javascript_offers_the_next_person_a_blank_form(
        live_server, phone_without_script):
    page = phone_without_script
    place = make_place(live_server, "noscript-kiosk")
    page.goto(place.url + "?kiosk=1")
    first_key = served_key(live_server, page)
    fill_form(page, ratings("4"))
    page.get_by_role("button", name="Gửi phiếu").tap()
    page.wait_for_url(place.thanks_url + "?kiosk=1")
    assert page.locator("#countdown").is_hidden()  # the countdown needs the script
    next_person = page.get_by_role("link", name="Người tiếp theo")
    assert next_person.is_visible()
    next_person.tap()
    page.wait_for_url(place.url + "?kiosk=1")
    assert checked_answers(page) == {}
    assert page.locator("#comment").input_value() == ""
    assert served_key(live_server, page) not in (None, first_key)
    assert [row["channel"] for row in responses_at(live_server, place)] == ["kiosk"]
