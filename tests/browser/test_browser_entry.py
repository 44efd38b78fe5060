"""Paper entry in a real browser: three sheets typed by keyboard alone, progress moves."""

from __future__ import annotations

from sqlalchemy import select

from survey_app.domain.accounts.accounts import create_user
from survey_app.domain.paper.sheet_batches import create_batch
from survey_app.extensions import db
from survey_app.models import Campaign, Role, Sheet, SheetBatch, Unit
from tests.browser.axe_checks import serious_violations
from tests.browser.staff_support import log_in, paper_count, type_sheet

PASSWORD = "mat-khau-canh-hien-2026"


def _staff_and_serials(app) -> list[str]:
    with app.app_context():
        unit = db.session.scalar(select(Unit).filter_by(code="gl-xa-canh-vinh"))
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
    log_in(page, live_app.url, "canbo-ch", PASSWORD)
    page.goto(live_app.url + "/staff/entry")
    assert page.url.endswith("/staff/entry")
    assert serious_violations(page) == []
    for index, serial in enumerate(serials):
        type_sheet(page, serial, str(3 + index) * 22, f"Phiếu thứ {index + 1}")
    assert paper_count(page, live_app.url, "Xã Canh Vinh") == 3
