"""With JavaScript turned off the citizen form, its thank-you page and kiosk mode still work."""

from __future__ import annotations

import pytest

from survey_app.public import pages
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
    # Without the script the number does not move, but the page still returns by itself.
    assert "sau 8 giây" in page.locator("#countdown").inner_text()
    next_person = page.get_by_role("link", name="Người tiếp theo")
    assert next_person.is_visible()
    next_person.tap()
    page.wait_for_url(place.next_person_url)
    assert checked_answers(page) == {}
    assert page.locator("#comment").input_value() == ""
    assert served_key(live_server, page) not in (None, first_key)
    assert [row["channel"] for row in responses_at(live_server, place)] == ["kiosk"]


def test_a_kiosk_without_javascript_returns_to_a_blank_form_by_itself(
        live_server, phone_without_script, monkeypatch):
    # A short wait (the page's refresh takes real seconds: the test's clock cannot move it).
    monkeypatch.setattr(pages, "KIOSK_RETURN_SECONDS", 2)
    page = phone_without_script
    place = make_place(live_server, "noscript-return", kiosk=True)
    page.goto(place.url)
    fill_form(page, ratings("3"))
    page.get_by_role("button", name="Gửi phiếu").tap()
    page.wait_for_url(place.thanks_url + "?kiosk=1")
    assert "sau 2 giây" in page.locator("#countdown").inner_text()
    page.wait_for_url(place.next_person_url, timeout=15_000)  # nobody touched the tablet
    assert page.get_by_role("button", name="Gửi phiếu").is_visible()
    assert checked_answers(page) == {}
    assert [row["channel"] for row in responses_at(live_server, place)] == ["kiosk"]


def progress_text(page) -> str:
    """The progress bar as the browser lays it out (its count is CSS-generated content, which
    only the rendered page knows: read from Chromium's accessibility tree, where the bar's
    text follows the last rating question)."""
    session = page.context.new_cdp_session(page)
    try:
        session.send("Accessibility.enable")
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    texts = [str(node["name"]["value"]) for node in nodes
             if node.get("role", {}).get("value") == "StaticText" and node.get("name")]
    start = next(index for index, text in enumerate(texts) if text.startswith("Đã trả lời"))
    return " ".join("".join(texts[start:start + 3]).split())


def test_the_form_shows_its_parts_and_counts_answers_without_javascript(live_server,
                                                                         phone_without_script):
    page = phone_without_script
    place = make_place(live_server, "noscript-progress")
    page.goto(place.url)
    parts = page.locator("p.part").all_inner_texts()
    assert parts[0] == "Phần 1/6 · câu 1–4/22" and parts[-1] == "Phần 6/6"
    assert "Đã trả lời 0/22 câu đánh giá" in progress_text(page)
    fill_form(page, dict(list(ratings("4").items())[:3]))
    assert "Đã trả lời 3/22 câu đánh giá" in progress_text(page)
    # it stays in sight while the person scrolls through the questions
    page.locator("fieldset#tc1").scroll_into_view_if_needed()
    box = page.locator("p.progress").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 740 + 1
