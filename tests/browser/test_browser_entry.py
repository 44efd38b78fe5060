"""Paper entry in a real browser: three sheets typed by keyboard alone, progress moves."""

from __future__ import annotations

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Campaign, Role, Sheet, SheetBatch, Unit
from survey_app.services.accounts import create_user
from survey_app.services.sheet_batches import create_batch
from tests.browser.axe_checks import serious_violations

PASSWORD = "mat-khau-canh-hien-2026"


def _staff_and_serials(app) -> list[str]:
    with app.app_context():
        unit = db.session.scalar(select(Unit).filter_by(code="xa-canh-hien"))
        campaign = db.session.scalar(select(Campaign).filter_by(code="demo"))
        user, _ = create_user("canbo-ch", "Cán bộ Canh Hiển", Role.UNIT_STAFF, [unit], PASSWORD)
        user.must_change_password = False
        db.session.commit()
        batch_id = create_batch(campaign.id, unit.id, 20, user)
        assert db.session.get(SheetBatch, batch_id).sheet_count == 20
        return list(db.session.scalars(select(Sheet.serial).where(Sheet.batch_id == batch_id)
                                       .order_by(Sheet.id).limit(3)))


def test_three_sheets_typed_by_keyboard_alone(live_app, desktop):
    serials = _staff_and_serials(live_app.app)
    page = desktop
    page.goto(live_app.url + "/staff/login")
    page.get_by_label("Tên đăng nhập").fill("canbo-ch")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_label("Mật khẩu").press("Enter")
    page.goto(live_app.url + "/staff/entry")
    assert page.url.endswith("/staff/entry")
    assert serious_violations(page) == []
    for index, serial in enumerate(serials):
        # Chromium applies autofocus after the first rendering; wait for it, never click.
        page.wait_for_function("document.activeElement && document.activeElement.id === "
                               "'f-serial'")
        # The serial field has the focus; each digit moves on to the next field by itself.
        page.keyboard.type(serial)
        page.keyboard.type(str(3 + index) * 22)
        page.keyboard.type("1")  # respondent type: 1. Cá nhân
        page.keyboard.type("0")  # field: not answered
        page.keyboard.type("2")  # gender: 2. Nữ
        page.keyboard.type("0")
        page.keyboard.type("0")
        page.keyboard.type(f"Phiếu thứ {index + 1}")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert f"Đã lưu phiếu số {serial[:4]}-{serial[4:]}" in page.content()
    page.goto(live_app.url + "/staff/progress")
    row = page.locator("tr", has=page.locator("th", has_text="Xã Canh Hiển"))
    assert row.locator("td").nth(3).inner_text().strip() == "3"  # the paper column
