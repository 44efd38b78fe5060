"""Staff pages on a 360 × 740 phone (issue 13.4): no page scrolls sideways; wide tables
scroll inside their own box; the campaign picker and the district chart are not cut."""

from __future__ import annotations

import pytest

from tests.browser.citizen_support import page_widths
from tests.browser.staff_support import change_password, log_in

NEW_PASSWORD = "mat-khau-dien-thoai-2026"
STAFF_PAGES = ["/staff/", "/staff/progress", "/staff/sheets", "/staff/posters", "/staff/entry",
               "/staff/flagged", "/staff/scans", "/staff/password", "/results/",
               "/results/unit/gl-so-nn-mt", "/admin/units", "/admin/units/new",
               "/admin/units/import", "/admin/campaigns", "/admin/campaigns/new",
               "/admin/campaigns/1", "/admin/units/1/counters", "/admin/users",
               "/admin/users/new", "/admin/audit"]


@pytest.fixture
def staff_phone(open_page):
    return open_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)


def test_no_staff_page_scrolls_sideways_on_a_phone(live_app, staff_phone):
    page = staff_phone
    log_in(page, live_app.url, "admin", live_app.app.config["DEMO_ADMIN_PASSWORD"])
    change_password(page, live_app.app.config["DEMO_ADMIN_PASSWORD"], NEW_PASSWORD)
    wide = []
    for path in STAFF_PAGES:
        response = page.goto(live_app.url + path)
        assert response.status == 200, path
        scroll, client = page_widths(page)
        if scroll > client:
            wide.append((path, scroll))
    assert wide == []


def test_the_campaign_picker_and_the_chart_fit_the_phone(live_app, staff_phone):
    page = staff_phone
    log_in(page, live_app.url, "admin", live_app.app.config["DEMO_ADMIN_PASSWORD"])
    change_password(page, live_app.app.config["DEMO_ADMIN_PASSWORD"], NEW_PASSWORD)
    page.goto(live_app.url + "/results/")
    picker = page.locator("select#campaign").bounding_box()
    assert picker is not None and picker["x"] >= 0 and picker["x"] + picker["width"] <= 360
    chart = page.locator("main svg").first.bounding_box()
    assert chart is not None and chart["x"] + chart["width"] <= 360
