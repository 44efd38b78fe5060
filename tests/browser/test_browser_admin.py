"""Accounts and administration in a real browser: the demo admin's first login, accessibility."""

from __future__ import annotations

NEW_PASSWORD = "mat-khau-quan-tri-2026"
ADMIN_PAGES = ["/admin/units", "/admin/units/new", "/admin/units/import", "/admin/campaigns",
               "/admin/campaigns/new", "/admin/campaigns/1", "/admin/units/1/counters",
               "/admin/users", "/admin/users/new", "/admin/audit"]


def test_demo_admin_first_login_then_admin_pages_are_accessible(live_app, desktop):
    from tests.browser.axe_checks import serious_violations
    page = desktop
    page.goto(live_app.url + "/staff/login")
    assert serious_violations(page) == []
    page.get_by_label("Tên đăng nhập").fill("admin")
    page.get_by_label("Mật khẩu").fill(live_app.app.config["DEMO_ADMIN_PASSWORD"])
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    assert page.url.endswith("/staff/password")
    assert serious_violations(page) == []
    page.get_by_label("Mật khẩu hiện tại").fill(live_app.app.config["DEMO_ADMIN_PASSWORD"])
    page.get_by_label("Mật khẩu mới (ít nhất 10 ký tự)").fill(NEW_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu mới").fill(NEW_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Đổi mật khẩu").click()
    assert "Đã đổi mật khẩu." in page.content()
    for path in ADMIN_PAGES:
        response = page.goto(live_app.url + path)
        assert response.status == 200, path
        assert serious_violations(page) == [], path
    page.goto(live_app.url + "/admin/users/new")
    page.get_by_label("Tên đăng nhập").fill("canbo.hien")
    page.get_by_label("Họ và tên").fill("Cán bộ Canh Hiển")
    page.get_by_label("Đơn vị (cán bộ đơn vị; giữ Ctrl để chọn nhiều)").select_option(
        label="Xã Canh Hiển (xa-canh-hien)")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()
    assert page.locator(".secret code").inner_text().count("-") == 3
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng xuất").click()
    assert page.url.endswith("/staff/login")
