"""The citizen pages for everyone: no serious axe-core violations, nothing scrolls sideways on a
320 px phone, and the form can be answered and sent with the keyboard alone, focus visible."""

from __future__ import annotations

import pytest

from tests.browser.axe_checks import serious_violations
from tests.browser.citizen_support import (
    CITIZEN_CONFIG,
    PROFILE,
    checked_answers,
    make_place,
    page_widths,
    ratings,
    responses_at,
    stored_values,
)

PAGES = ["form", "form with problems", "thank-you", "kiosk thank-you", "campaign ended",
         "not found"]
HEADINGS = {"form with problems": "Phiếu chưa gửi được", "thank-you": "Cảm ơn Ông/Bà!",
            "kiosk thank-you": "Cảm ơn Ông/Bà!", "campaign ended": "Đợt khảo sát đã kết thúc",
            "not found": "Không tìm thấy trang"}
SMALL_PHONE = {"viewport": {"width": 320, "height": 640}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def live_server_config() -> dict:
    return CITIZEN_CONFIG


@pytest.fixture(scope="module")
def places(live_server):
    return {"open": make_place(live_server, "a11y-open"),
            "ended": make_place(live_server, "a11y-ended", days_before=90, days_after=-30)}


def _open(page, name: str, places) -> None:
    """Bring ``page`` to the citizen page called ``name``, as a person reaches it."""
    place = places["ended" if name == "campaign ended" else "open"]
    url = {"thank-you": place.thanks_url, "kiosk thank-you": place.thanks_url + "?kiosk=1",
           "not found": f"{place.base_url}/s/khong-co-ma-nay"}.get(name, place.url)
    page.goto(url)
    if name == "form with problems":
        with page.expect_response(lambda response: response.request.method == "POST") as sent:
            page.get_by_role("button", name="Gửi phiếu").click()
        assert sent.value.status in (400, 422)
        page.wait_for_load_state()
    if name in HEADINGS:
        assert HEADINGS[name] in page.locator("h1, h2").all_inner_texts()


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_violations(live_server, places, phone, name):
    _open(phone, name, places)
    assert phone.locator("html").get_attribute("lang") == "vi"
    violations = serious_violations(phone)
    assert violations == [], "\n".join(violations)


def test_axe_sees_a_serious_problem(live_server, places, phone):
    """The check above is not blind: an answer without a label is reported."""
    _open(phone, "form", places)
    phone.evaluate("() => { const bare = document.createElement('input');"
                   " bare.type = 'radio'; bare.name = 'bare';"
                   " document.querySelector('form').prepend(bare); }")
    assert any(violation.startswith("label (critical)") for violation in serious_violations(phone))


@pytest.mark.parametrize("name", PAGES)
def test_nothing_scrolls_sideways_at_320_px(live_server, places, open_page, name):
    page = open_page(**SMALL_PHONE)
    _open(page, name, places)
    scroll_width, client_width = page_widths(page)
    assert client_width == 320
    assert scroll_width <= client_width


def test_the_sideways_check_sees_a_page_too_wide(live_server, places, open_page):
    """The measure above is not blind on an emulated phone: a wide element is noticed."""
    page = open_page(**SMALL_PHONE)
    _open(page, "thank-you", places)
    # Through the CSSOM: the page's CSP refuses style attributes.
    page.evaluate("() => { const wide = document.createElement('p'); wide.textContent = 'x';"
                  " wide.style.width = '400px'; document.querySelector('main').append(wide); }")
    scroll_width, client_width = page_widths(page)
    assert scroll_width > client_width


def _focused(page) -> dict:
    return page.evaluate("""() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        return {tag: el.tagName.toLowerCase(), type: el.type || "", name: el.name || "",
                value: el.value || "", text: (el.innerText || "").trim(),
                outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth)};
    }""")


def test_the_form_is_answered_and_sent_with_the_keyboard_alone(live_server, places, open_page):
    page = open_page(viewport={"width": 1024, "height": 768})
    place = make_place(live_server, "a11y-keyboard")
    page.goto(place.url)
    rated = ratings("52")
    wanted = {**rated, **{code: value for code, (value, _) in PROFILE.items()}}
    order = {}  # radio values in page order, by question
    for name, value in page.eval_on_selector_all(
            "input[type=radio]", "els => els.map(e => [e.name, e.value])"):
        order.setdefault(name, []).append(value)

    answered, seen = set(), []
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = _focused(page)
        seen.append(focused)
        assert focused["outline"] != "none" and focused["outlineWidth"] > 0, focused
        if focused["type"] == "radio" and focused["name"] in wanted:
            name = focused["name"]
            assert name not in answered, f"Tab came back to {name}"
            # Nothing is chosen yet, so Tab lands on the first answer: Space chooses it and
            # each arrow press moves the choice one answer on.
            page.keyboard.press("Space")
            for _ in range(order[name].index(wanted[name])):
                page.keyboard.press("ArrowDown")
            assert _focused(page)["value"] == wanted[name]
            answered.add(name)
        elif focused["tag"] == "textarea":
            page.keyboard.type("Gõ bằng bàn phím.")
        elif focused["tag"] == "button":
            break
    assert focused["tag"] == "button" and focused["text"] == "Gửi phiếu", seen[-3:]
    assert answered == set(wanted)
    assert checked_answers(page) == wanted
    page.keyboard.press("Enter")
    page.wait_for_url(place.thanks_url)
    [stored] = responses_at(live_server, place)
    assert stored["answers"] == stored_values(rated)
    assert stored["comment"] == "Gõ bằng bàn phím."
