"""Helpers of the staff browser tests: signing in and out, accounts, keyboard paper entry."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def log_in(page, base_url: str, username: str, password: str) -> None:
    """Sign in through the login form by keyboard (Enter in the password field)."""
    if not page.url.endswith("/staff/login"):
        page.goto(base_url + "/staff/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    with page.expect_navigation():
        page.get_by_label("Mật khẩu").press("Enter")


def change_password(page, current: str, new: str) -> None:
    """Fill the change-password form (where a first login lands) and submit it."""
    assert page.url.endswith("/staff/password")
    page.get_by_label("Mật khẩu hiện tại").fill(current)
    page.get_by_label("Mật khẩu mới (ít nhất 10 ký tự)").fill(new)
    page.get_by_label("Nhập lại mật khẩu mới").fill(new)
    with page.expect_navigation():
        page.get_by_role("button", name="Đổi mật khẩu").click()
    assert "Đã đổi mật khẩu." in page.content()


def log_out(page) -> None:
    """The menu's "Đăng xuất" button (a POST form); lands on the login page."""
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng xuất").click()
    assert page.url.endswith("/staff/login")


def create_unit_staff(page, base_url: str, username: str, full_name: str,
                      unit_label: str) -> str:
    """As an admin, create a unit staff account in the admin UI; the one-time password."""
    page.goto(base_url + "/admin/users/new")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Họ và tên").fill(full_name)
    page.locator("ul#unit_ids").get_by_label(unit_label).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()
    assert f"Đã tạo tài khoản {username}" in page.locator("h1").inner_text()
    return page.locator(".secret code").inner_text().strip()


def type_sheet(page, serial: str, ratings: str, comment: str) -> None:
    """Type one paper sheet on the entry page with the keyboard alone, then Enter.

    ``ratings`` is one digit per rating item; the profile answers are 1. Cá nhân, field not
    answered, 2. Nữ, then two unanswered questions.
    """
    # Chromium applies autofocus after the first rendering; wait for it, never click.
    page.wait_for_function("document.activeElement && document.activeElement.id === "
                           "'f-serial'")
    # The serial field has the focus; each digit moves on to the next field by itself.
    page.keyboard.type(serial)
    page.keyboard.type(ratings)
    page.keyboard.type("1")  # respondent type: 1. Cá nhân
    page.keyboard.type("0")  # field: not answered
    page.keyboard.type("2")  # gender: 2. Nữ
    page.keyboard.type("0")
    page.keyboard.type("0")
    page.keyboard.type(comment)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"Đã lưu phiếu số {serial[:4]}-{serial[4:]}" in page.content()


def paper_count(page, base_url: str, unit_name: str) -> int:
    """The "Giấy" (paper) column of the unit's row on the progress page."""
    page.goto(base_url + "/staff/progress")
    row = page.locator("tr", has=page.locator("th", has_text=unit_name))
    return int(row.locator("td").nth(3).inner_text().strip())


def flask_cli(database_url: str, *args: str) -> subprocess.CompletedProcess:
    """Run ``flask --app wsgi ARGS`` in a separate process against ``database_url``."""
    env = {**os.environ, "SURVEY_DATABASE_URL": database_url,
           "SURVEY_SECRET_KEY": "browser-test-cli-key"}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=REPO,
                            env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result
