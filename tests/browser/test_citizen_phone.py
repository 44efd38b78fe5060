"""A citizen on a phone: tap the answers, send, be thanked; double taps, "back" and reload
count once."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect

from survey_app.domain.submissions import submissions
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

THANKS_HEADING = "Cảm ơn Ông/Bà!"


@pytest.fixture(scope="module")
def live_server_config() -> dict:
    return CITIZEN_CONFIG


def _submit_button(page):
    return page.get_by_role("button", name="Gửi phiếu")


def test_a_citizen_answers_by_tapping_and_one_qr_response_is_stored(live_server, phone):
    place = make_place(live_server, "phone-submit")
    phone.goto(place.url)
    assert "Quầy một cửa" in phone.locator("main > p").first.inner_text()
    key = served_key(live_server, phone)
    rated = ratings()
    fill_form(phone, rated)
    assert checked_answers(phone) == {**rated, **{c: v for c, (v, _) in PROFILE.items()}}
    _submit_button(phone).tap()
    phone.wait_for_url(place.thanks_url)
    assert phone.locator("h1").inner_text() == THANKS_HEADING
    assert phone.get_by_text("Người tiếp theo").count() == 0  # a phone is not a kiosk
    [stored] = responses_at(live_server, place)
    assert stored["channel"] == "qr" and stored["key"] == key
    assert (stored["unit_id"], stored["campaign_id"]) == (place.unit_id, place.campaign_id)
    assert stored["status"] == "valid"
    assert stored["answers"] == stored_values(rated)
    assert stored["profile"] == {code: value for code, (value, _) in PROFILE.items()}
    assert stored["comment"] == COMMENT


@pytest.mark.parametrize("how", ["dblclick", "two rapid clicks"])
def test_a_double_press_on_submit_stores_one_response(live_server, phone, how):
    place = make_place(live_server, f"phone-double-{how[:3]}")
    phone.goto(place.url)
    rated = ratings("45")
    fill_form(phone, rated)
    button = _submit_button(phone)
    if how == "dblclick":
        button.dblclick()
    else:
        x, y = _centre(button)
        phone.mouse.click(x, y)  # mouse clicks do not wait for the navigation they start
        phone.mouse.click(x, y)
    # Polls the address: when the second press aborts the first navigation (Chromium may
    # send both posts), waiting for one navigation event would fail for the wrong reason.
    expect(phone).to_have_url(place.thanks_url)
    assert phone.locator("h1").inner_text() == THANKS_HEADING
    [stored] = responses_at(live_server, place)
    assert stored["answers"] == stored_values(rated)


def test_a_second_tap_while_the_first_is_on_its_way_stores_one_response(
        live_server, phone, monkeypatch):
    """On a slow network the second tap is sent too: two posts with one key reach the server
    together, one response is stored, and the person is thanked."""
    place = make_place(live_server, "phone-slow-double")
    accept = submissions.accept
    arrived = threading.Semaphore(0)
    release = threading.Event()

    def held_accept(*args, **kwargs):
        arrived.release()
        release.wait(timeout=30)  # a slow server: the page is still there to tap again
        return accept(*args, **kwargs)

    monkeypatch.setattr(submissions, "accept", held_accept)
    phone.goto(place.url)
    rated = ratings("21")
    fill_form(phone, rated)
    x, y = _centre(_submit_button(phone))
    try:
        phone.touchscreen.tap(x, y)
        assert arrived.acquire(timeout=30), "the first post did not reach the server"
        phone.touchscreen.tap(x, y)
        assert arrived.acquire(timeout=30), "the second post did not reach the server"
    finally:
        release.set()
    # The second post aborts the first navigation; the address is polled, as above.
    expect(phone).to_have_url(place.thanks_url)
    assert phone.locator("h1").inner_text() == THANKS_HEADING
    [stored] = responses_at(live_server, place)
    assert stored["answers"] == stored_values(rated)


def _centre(locator) -> tuple[float, float]:
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def test_back_and_submit_again_then_reload_count_once(live_server, open_page,
                                                     browser_with_history_cache):
    """With the history cache (phones): "back" shows the filled form again; sending it again
    is a harmless replay of the same key."""
    phone = open_page(using=browser_with_history_cache, **PHONE)
    phone.add_init_script("addEventListener('pageshow', event => {"
                          " window.restoredFromHistory = event.persisted; })")
    place = make_place(live_server, "phone-back-cached")
    phone.goto(place.url)
    rated = ratings("3")
    fill_form(phone, rated)
    _submit_button(phone).tap()
    phone.wait_for_url(place.thanks_url)
    phone.go_back(wait_until="commit")  # a page from the history cache fires no "load"
    assert phone.url == place.url
    assert phone.evaluate("window.restoredFromHistory") is True
    assert checked_answers(phone) == {**rated, **{c: v for c, (v, _) in PROFILE.items()}}
    _submit_button(phone).tap()
    phone.wait_for_url(place.thanks_url)
    assert phone.locator("h1").inner_text() == THANKS_HEADING
    phone.reload()
    assert phone.locator("h1").inner_text() == THANKS_HEADING
    [stored] = responses_at(live_server, place)
    assert stored["answers"] == stored_values(rated)


def test_back_without_the_history_cache_says_the_phone_has_answered(live_server, phone):
    """Without the history cache "back" fetches the page again: no second form to send."""
    place = make_place(live_server, "phone-back-fresh")
    phone.goto(place.url)
    fill_form(phone, ratings("3"))
    _submit_button(phone).tap()
    phone.wait_for_url(place.thanks_url)
    phone.go_back()
    assert phone.url == place.url
    assert phone.locator("h1").inner_text() == "Ông/Bà đã gửi phiếu"
    assert _submit_button(phone).count() == 0
    phone.go_forward()
    phone.wait_for_url(place.thanks_url)
    phone.reload()
    assert phone.locator("h1").inner_text() == THANKS_HEADING
    assert len(responses_at(live_server, place)) == 1
