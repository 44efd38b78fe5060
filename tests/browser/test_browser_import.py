"""Importing responses on the campaign page in a real browser: choose the file, read the
preview, confirm, the progress bar, the result — with JavaScript and without."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey_app.domain.accounts.accounts import create_user
from survey_app.extensions import db
from survey_app.models import Campaign, Response, Role
from survey_app.support.dates import today_local
from tests.browser.axe_checks import serious_violations
from tests.browser.staff_support import log_in

PASSWORD = "mat-khau-quan-tri-2026"
ITEMS = (["tc1", "tc2", "tc3", "tc4"] + [f"tt{i}" for i in range(1, 6)]
         + [f"cc{i}" for i in range(1, 7)] + [f"kq{i}" for i in range(1, 4)]
         + [f"pa{i}" for i in range(1, 5)])


@pytest.fixture
def config_overrides(tmp_path):
    return {"IMPORT_FOLDER": str(tmp_path / "imports")}


def _admin_and_campaign(app) -> tuple[int, str, tuple[str, str]]:
    """An admin who need not change their password; the demo campaign's id, a day inside
    its period that is already past, and the codes of two of its units."""
    with app.app_context():
        user, _ = create_user("qt-nhap", "Quản trị nhập", Role.ADMIN, [], PASSWORD)
        user.must_change_password = False
        db.session.commit()
        campaign = db.session.scalar(select(Campaign).filter_by(code="demo"))
        day = min(today_local() - timedelta(days=1), campaign.deadline)
        if day < campaign.starts_on:
            pytest.skip("the demo campaign has no past day today")
        codes = sorted(target.unit.code for target in campaign.targets)[:2]
        return campaign.id, day.strftime("%d/%m/%Y"), (codes[0], codes[1])


def _csv(path, day: str, rows: int, units: tuple[str, str]) -> None:
    header = ["unit_code", "respondent_type", "submitted_at", *ITEMS, "comment"]
    lines = [",".join(header)] + [
        ",".join([units[n % 2], "ca_nhan",
                  f"{day} {8 + n // 60 % 9:02d}:{n % 60:02d}", *["4"] * 22, f"Phiếu {n}"])
        for n in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response))


def test_an_admin_imports_a_file_and_follows_the_progress_bar(live_app, desktop, tmp_path):
    campaign_id, day, units = _admin_and_campaign(live_app.app)
    before = _count(live_app.app)
    path = tmp_path / "phieu.csv"
    _csv(path, day, 1200, units)
    page = desktop
    log_in(page, live_app.url, "qt-nhap", PASSWORD)
    page.goto(f"{live_app.url}/admin/campaigns/{campaign_id}")
    page.get_by_label("Tệp phiếu (.csv hoặc .xlsx)").set_input_files(str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="Kiểm tra tệp").click()
    assert "Kiểm tra xong: không có lỗi" in page.content()
    assert serious_violations(page) == []
    assert _count(live_app.app) == before
    page.get_by_role("button", name="Xác nhận nhập 1.200 phiếu").click()
    page.locator("#import-progress").wait_for(state="visible")
    page.wait_for_url("**/import/result?upload=*", timeout=120_000)
    assert "đã nhập 1.200 phiếu" in page.content()
    assert serious_violations(page) == []
    assert _count(live_app.app) == before + 1200


def test_without_javascript_the_confirmation_ends_on_the_result_page(live_app, open_page,
                                                                     tmp_path):
    campaign_id, day, units = _admin_and_campaign(live_app.app)
    before = _count(live_app.app)
    path = tmp_path / "phieu.csv"
    _csv(path, day, 30, units)
    page = open_page(java_script_enabled=False)
    log_in(page, live_app.url, "qt-nhap", PASSWORD)
    page.goto(f"{live_app.url}/admin/campaigns/{campaign_id}")
    page.get_by_label("Tệp phiếu (.csv hoặc .xlsx)").set_input_files(str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="Kiểm tra tệp").click()
    assert page.locator("#import-progress").is_hidden()
    with page.expect_navigation():
        page.get_by_role("button", name="Xác nhận nhập 30 phiếu").click()
    assert "/import/result?upload=" in page.url
    assert "đã nhập 30 phiếu" in page.content()
    assert _count(live_app.app) == before + 30
