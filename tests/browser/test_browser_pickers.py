"""Units are chosen with ticked boxes and a filter box that ignores diacritics (issue 13.7)."""

from __future__ import annotations

from tests.browser.staff_support import change_password, log_in

NEW_PASSWORD = "mat-khau-chon-don-vi-2026"


def test_the_filter_box_narrows_the_units_and_ticks_survive(live_app, desktop):
    page = desktop
    log_in(page, live_app.url, "admin", live_app.app.config["DEMO_ADMIN_PASSWORD"])
    change_password(page, live_app.app.config["DEMO_ADMIN_PASSWORD"], NEW_PASSWORD)
    page.goto(live_app.url + "/admin/users/new")
    items = page.locator("ul#unit_ids li")
    total = items.count()
    assert total == 155  # the province demo's units, all shown
    page.locator("ul#unit_ids").get_by_text("Phường Quy Nhơn (gl-phuong-quy-nhon)").click()
    page.get_by_role("searchbox").fill("canh vinh")  # typed without diacritics
    visible = [text.strip() for text in page.locator("ul#unit_ids li:visible").all_inner_texts()]
    assert visible == ["Xã Canh Vinh (gl-xa-canh-vinh)"]
    page.get_by_role("searchbox").fill("")
    assert page.locator("ul#unit_ids li:visible").count() == total
    assert page.locator("ul#unit_ids").get_by_label(
        "Phường Quy Nhơn (gl-phuong-quy-nhon)").is_checked()
