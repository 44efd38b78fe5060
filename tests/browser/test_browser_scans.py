"""Scanned sheets in a real browser: upload through the file input, the clean sheet stored, the
doubtful marks decided by keyboard alone (digit, digit, Enter), progress moves."""

from __future__ import annotations

import json

from sqlalchemy import select

from survey_app.domain.accounts.accounts import create_user
from survey_app.extensions import db
from survey_app.models import Campaign, Response, Role, Unit
from tests.browser.axe_checks import serious_violations
from tests.browser.staff_support import log_in
from tests.paper_reading.conftest import FIXTURES, add_fixture_batches

PASSWORD = "mat-khau-canh-hien-2026"


def _desk(app) -> None:
    manifest = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
    with app.app_context():
        unit = db.session.scalar(select(Unit).filter_by(code="gl-xa-canh-vinh"))
        campaign = db.session.scalar(select(Campaign).filter_by(code="demo"))
        user, _ = create_user("canbo-ch", "Cán bộ Canh Hiển", Role.UNIT_STAFF, [unit], PASSWORD)
        user.must_change_password = False
        db.session.commit()
        add_fixture_batches(manifest, campaign, unit, user)


def _stored(app) -> list[Response]:
    with app.app_context():
        return list(db.session.scalars(select(Response).order_by(Response.id)))


def test_upload_then_review_by_keyboard_alone(live_app, desktop):
    _desk(live_app.app)
    page = desktop
    log_in(page, live_app.url, "canbo-ch", PASSWORD)
    page.goto(live_app.url + "/staff/scans")
    assert serious_violations(page) == []
    page.get_by_label("Tệp phiếu (PDF, JPEG, PNG)").set_input_files(
        [str(FIXTURES / name) for name in
         ("clean-300-A1.jpg", "clean-200-A2.jpg", "erasure-double-C1.jpg")])
    with page.expect_navigation():
        page.get_by_role("button", name="Tải lên và đọc").click()
    assert "Đã lưu phiếu: 2 trang" in page.content()
    assert len(_stored(live_app.app)) == 1
    assert serious_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("link", name="Xem lại trang này").click()
    assert serious_violations(page) == []
    # The first uncertain question has the focus; a digit moves on to the next.
    focused = page.evaluate("document.activeElement.name")
    assert focused == "tc3"
    page.keyboard.press("4")
    assert page.evaluate("document.activeElement.name") == "tt2"
    page.keyboard.press("5")
    assert page.locator("img.scan-crop").count() == 2
    assert all(page.evaluate("(img) => img.naturalWidth > 0", img.element_handle())
               for img in page.locator("img.scan-crop").all())
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # C's page 2 is not uploaded yet: the decisions wait with the page.
    assert "Đã lưu phần xem lại trang 1" in page.content()
    assert len(_stored(live_app.app)) == 1
