"""A kiosk tablet at the counter: after each thank-you page it comes back to a blank form by
itself; a press too soon after the last response is refused with a way on."""

from __future__ import annotations

import pytest

from survey_app.public import pages
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
    tablet.wait_for_url(place.url + "?kiosk=1")
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
    tablet.wait_for_url(place.url + "?kiosk=1")

    fill_form(tablet, ratings("2"))
    with tablet.expect_response(lambda response: response.request.method == "POST") as sent:
        _send(tablet)
    assert sent.value.status == 429
    tablet.wait_for_load_state()
    assert tablet.locator("h1").inner_text() == "Vui lòng chờ giây lát"
    assert len(responses_at(live_server, place)) == 1  # refused: nothing stored

    # The guard has passed: "Người tiếp theo" gives the next person a blank form that is taken.
    monkeypatch.setitem(live_server.app.config, "KIOSK_GUARD_SECONDS", 0)
    with tablet.expect_navigation(url=place.url + "?kiosk=1"):
        tablet.get_by_role("link", name="Người tiếp theo").tap()
    assert checked_answers(tablet) == {}
    second = ratings("3")
    fill_form(tablet, second)
    _send(tablet)
    tablet.wait_for_url(place.thanks_url + "?kiosk=1")
    stored = responses_at(live_server, place)
    assert [row["channel"] for row in stored] == ["kiosk", "kiosk"]
    assert stored[1]["answers"] == stored_values(second)
