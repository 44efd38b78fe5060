"""The home page in a real browser: readable on a phone, no serious accessibility problems."""

from __future__ import annotations

from tests.browser.axe_checks import serious_violations


def test_home_page_on_a_phone_has_no_serious_accessibility_problems(live_app, phone):
    phone.goto(live_app.url + "/")
    assert phone.locator("h1").inner_text().startswith("Khảo sát sự hài lòng")
    assert serious_violations(phone) == []
