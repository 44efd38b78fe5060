"""A kiosk tablet at the counter: larger type than on a phone, no language link unless the
counter shows it, a countdown that counts on the thank-you page and then a blank form by
itself; a press too soon after the last response is refused with a way on."""

from __future__ import annotations

import pytest

from survey_app.public import pages
from tests.browser.axe_checks import serious_violations
from tests.browser.citizen_support import (
    CITIZEN_CONFIG,
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
def tablet(open_page):
    """A tablet-sized touch page whose timers run on a clock the test moves."""
    page = open_page(viewport={"width": 800, "height": 1280}, is_mobile=True, has_touch=True)
    page.clock.install()
    return page


def _send(page) -> None:
    page.get_by_role("button", name="Gửi phiếu").tap()


@pytest.mark.parametrize("how", ["?kiosk=1", "counter setting"])
def test_the_kiosk_returns_to_a_blank_form_by_itself(live_server, tablet, how):
    place = make_place(live_server, f"kiosk-{how[-4:]}", kiosk=how == "counter setting")
    start = place.url + ("?kiosk=1" if how == "?kiosk=1" else "")
    tablet.goto(start)
    first_key = served_key(live_server, tablet)
    rated = ratings("5")
    fill_form(tablet, rated)
    _send(tablet)
    tablet.wait_for_url(place.thanks_url + "?kiosk=1")
    assert tablet.locator("h1").inner_text() == "Cảm ơn Ông/Bà!"
    countdown = tablet.locator("#countdown")
    assert countdown.is_visible()
    assert f"sau {pages.KIOSK_RETURN_SECONDS} giây" in countdown.inner_text()

    tablet.clock.run_for((pages.KIOSK_RETURN_SECONDS - 1) * 1000)
    assert tablet.url == place.thanks_url + "?kiosk=1"  # still thanking the person
    tablet.clock.run_for(1500)
    tablet.wait_for_url(place.next_person_url)
    assert tablet.get_by_role("button", name="Gửi phiếu").is_visible()
    assert checked_answers(tablet) == {}
    assert tablet.locator("#comment").input_value() == ""
    assert served_key(live_server, tablet) not in (None, first_key)

    [stored] = responses_at(live_server, place)
    assert stored["channel"] == "kiosk" and stored["key"] == first_key
    assert stored["answers"] == stored_values(rated)


def test_a_press_within_the_guard_is_refused_and_the_next_person_can_answer(
        live_server, tablet, monkeypatch):
    # A guard long enough that "too soon" does not depend on how fast the browser fills in.
    monkeypatch.setitem(live_server.app.config, "KIOSK_GUARD_SECONDS", 600)
    place = make_place(live_server, "kiosk-guard")
    tablet.goto(place.url + "?kiosk=1")
    fill_form(tablet, ratings("4"))
    _send(tablet)
    tablet.wait_for_url(place.thanks_url + "?kiosk=1")
    tablet.clock.run_for((pages.KIOSK_RETURN_SECONDS + 1) * 1000)
    tablet.wait_for_url(place.next_person_url)

    fill_form(tablet, ratings("2"))
    with tablet.expect_response(lambda response: response.request.method == "POST") as sent:
        _send(tablet)
    assert sent.value.status == 429
    tablet.wait_for_load_state()
    assert tablet.locator("h1").inner_text() == "Vui lòng chờ giây lát"
    assert len(responses_at(live_server, place)) == 1  # refused: nothing stored

    # The guard has passed: "Người tiếp theo" gives the next person a blank form that is taken.
    monkeypatch.setitem(live_server.app.config, "KIOSK_GUARD_SECONDS", 0)
    with tablet.expect_navigation(url=place.next_person_url):
        tablet.get_by_role("link", name="Người tiếp theo").tap()
    assert checked_answers(tablet) == {}
    second = ratings("3")
    fill_form(tablet, second)
    _send(tablet)
    tablet.wait_for_url(place.thanks_url + "?kiosk=1")
    stored = responses_at(live_server, place)
    assert [row["channel"] for row in stored] == ["kiosk", "kiosk"]
    assert stored[1]["answers"] == stored_values(second)


def _font_sizes(page) -> dict[str, float]:
    """The computed font size (px) of the page's body text, a question and an answer."""
    return page.evaluate("""() => Object.fromEntries([["body", "body"], ["legend", "legend"],
        ["answer", ".o label"], ["button", "button[type=submit]"]].map(([name, selector]) =>
        [name, parseFloat(getComputedStyle(document.querySelector(selector)).fontSize)]))""")


def test_the_tablet_form_has_larger_type_and_no_language_link(live_server, tablet, phone):
    place = make_place(live_server, "kiosk-type")
    phone.goto(place.url)  # the same counter's form on a phone and on its tablet
    tablet.goto(place.url + "?kiosk=1")
    on_phone, on_tablet = _font_sizes(phone), _font_sizes(tablet)
    for part in on_phone:
        assert on_tablet[part] >= 1.2 * on_phone[part], (part, on_phone, on_tablet)
    assert on_tablet["body"] >= 20
    assert tablet.locator("a[hreflang]").count() == 0
    assert phone.get_by_role("link", name="English").is_visible()
    assert tablet.locator("html").get_attribute("class") == "kiosk"
    widths = tablet.evaluate("[document.documentElement.scrollWidth,"
                             " document.documentElement.clientWidth]")
    assert widths[0] <= widths[1]  # larger type, still no sideways scrolling
    assert serious_violations(tablet) == []


def test_the_countdown_counts_each_second_back_to_a_blank_form(live_server, tablet):
    place = make_place(live_server, "kiosk-count", kiosk=True)
    tablet.goto(place.url)
    fill_form(tablet, ratings("4"))
    _send(tablet)
    tablet.wait_for_url(place.thanks_url + "?kiosk=1")
    number = tablet.locator("#countdown #seconds")
    shown = [number.inner_text()]
    for _second in range(pages.KIOSK_RETURN_SECONDS - 1):
        tablet.clock.run_for(1000)
        shown.append(number.inner_text())
    assert shown == [str(n) for n in range(pages.KIOSK_RETURN_SECONDS, 0, -1)]  # 8, 7 … 1
    assert tablet.url == place.thanks_url + "?kiosk=1"
    assert serious_violations(tablet) == []
    tablet.clock.run_for(1000)
    tablet.wait_for_url(place.next_person_url)
    assert checked_answers(tablet) == {}
    assert tablet.get_by_role("button", name="Gửi phiếu").is_visible()


def test_a_counter_that_shows_the_language_link_gets_english_then_vietnamese_again(
        live_server, tablet):
    place = make_place(live_server, "kiosk-lang", kiosk=True, kiosk_language=True)
    tablet.goto(place.url)
    english = tablet.get_by_role("link", name="English")
    assert english.is_visible()
    english.tap()
    tablet.wait_for_load_state()
    assert tablet.locator("html").get_attribute("lang") == "en"
    assert serious_violations(tablet) == []
    fill_form(tablet, ratings("5"), english=True)
    tablet.get_by_role("button", name="Send").tap()
    tablet.wait_for_url(place.thanks_url + "?kiosk=1")
    assert tablet.locator("h1").inner_text() == "Thank you!"
    assert "in 8 seconds" in tablet.locator("#countdown").inner_text()
    tablet.clock.run_for(pages.KIOSK_RETURN_SECONDS * 1000 + 500)
    tablet.wait_for_url(place.next_person_url)  # the next person starts in Vietnamese
    assert tablet.locator("html").get_attribute("lang") == "vi"
    assert tablet.get_by_role("button", name="Gửi phiếu").is_visible()
    [stored] = responses_at(live_server, place)
    assert stored["channel"] == "kiosk" and stored["answers"] == stored_values(ratings("5"))
