"""Accounts and administration in a real browser: the demo admin's first login, accessibility."""

from __future__ import annotations

from tests.browser.staff_support import change_password, create_unit_staff, log_in, log_out

NEW_PASSWORD = "mat-khau-quan-tri-2026"
ADMIN_PAGES = ["/admin/units", "/admin/units/new", "/admin/units/import", "/admin/campaigns",
               "/admin/campaigns/new", "/admin/campaigns/1", "/admin/units/1/counters",
               "/admin/users", "/admin/users/new", "/admin/audit"]


def test_demo_admin_first_login_then_admin_pages_are_accessible(live_app, desktop):
    from tests.browser.axe_checks import serious_violations
    page = desktop
    page.goto(live_app.url + "/staff/login")
    assert serious_violations(page) == []
    log_in(page, live_app.url, "admin", live_app.app.config["DEMO_ADMIN_PASSWORD"])
    assert page.url.endswith("/staff/password")
    assert serious_violations(page) == []
    change_password(page, live_app.app.config["DEMO_ADMIN_PASSWORD"], NEW_PASSWORD)
    for path in ADMIN_PAGES:
        response = page.goto(live_app.url + path)
        assert response.status == 200, path
        assert serious_violations(page) == [], path
    password = create_unit_staff(page, live_app.url, "canbo.hien", "Cán bộ Canh Hiển",
                                 "Xã Canh Vinh (gl-xa-canh-vinh)")
    assert password.count("-") == 3
    log_out(page)
