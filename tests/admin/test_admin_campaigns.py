"""Campaigns: creation from a published instrument, targets, state changes."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from survey_app.domain.campaigns.instruments import published_version, sync_shipped_instruments
from survey_app.extensions import db
from survey_app.models import Campaign, CampaignState, CampaignUnit
from survey_app.support.formatting import datetime_text


@pytest.fixture
def version(app):
    sync_shipped_instruments()
    db.session.commit()
    return published_version("sipas-1001-dvhcc")


def read_campaign(code: str) -> Campaign | None:
    db.session.rollback()  # end the read snapshot: see what the requests wrote
    return db.session.scalar(select(Campaign).where(Campaign.code == code))


def new_campaign(client, version, unit_ids, **changes):
    data = {"code": "2026", "name": "Đợt năm 2026", "instrument_version_id": str(version.id),
            "starts_on": "01/10/2026", "deadline": "2026-12-20",
            "headline_method": "mean-of-criteria", "valid_threshold": "0,6",
            "weighting": "dossier", "min_compare_responses": "40",
            "margin_of_error": "5%", "optional_blocks": ["harassment"],
            "unit_ids": [str(unit_id) for unit_id in unit_ids]}
    data.update(changes)
    return client.post("/admin/campaigns/new", data=data)


def test_creating_a_campaign_stores_a_draft_with_its_settings(client, admin, make_unit,
                                                              version, audit_actions):
    units = [make_unit(), make_unit("xa-hai", "Xã Hai")]
    response = new_campaign(client, version, [unit.id for unit in units])
    assert response.status_code == 302
    campaign = read_campaign("2026")
    assert campaign.state is CampaignState.DRAFT
    assert (campaign.starts_on, campaign.deadline) == (date(2026, 10, 1), date(2026, 12, 20))
    assert campaign.valid_threshold == pytest.approx(0.6)
    assert campaign.margin_of_error == pytest.approx(0.05)
    assert campaign.optional_blocks == ["harassment"]
    assert (campaign.headline_method, campaign.weighting) == ("mean-of-criteria", "dossier")
    assert campaign.min_compare_responses == 40
    assert campaign.instrument_version_id == version.id
    assert sorted(row.unit_id for row in campaign.targets) == sorted(u.id for u in units)
    assert audit_actions() == ["campaign.create"]


@pytest.mark.parametrize(("changes", "message"), [
    ({"deadline": "30/09/2026"}, "Ngày bắt đầu phải trước"),
    ({"valid_threshold": "1,5"}, "Ngưỡng phiếu hợp lệ"),
    ({"valid_threshold": "nửa"}, "Nhập một số"),
    ({"code": "Năm 2026"}, "Mã đợt chỉ gồm"),
    ({"starts_on": "31/02/2026"}, "Ngày không hợp lệ"),
    ({"min_compare_responses": "1"}, "Nhập một số nguyên từ 2 đến 100.000"),
    ({"min_compare_responses": "ba mươi"}, "Nhập một số nguyên từ 2 đến 100.000"),
    ({"weighting": "theo-y-thich"}, "Lựa chọn không hợp lệ"),
])
def test_bad_campaign_settings_are_refused(client, admin, make_unit, version, changes,
                                           message):
    unit = make_unit()
    response = new_campaign(client, version, [unit.id], **changes)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert read_campaign("2026") is None
    assert read_campaign(changes.get("code", "2026")) is None


def test_a_block_the_instrument_lacks_is_refused(client, admin, make_unit, version):
    other = published_version("sipas-2640")
    response = new_campaign(client, other, [make_unit().id])
    assert response.status_code == 400
    assert "không có phần tùy chọn" in response.get_data(as_text=True)


def test_targets_table_saves_n_or_a_fixed_target(client, admin, make_unit, version,
                                                 audit_actions):
    one, two, three = make_unit(), make_unit("xa-hai", "Xã Hai"), make_unit("xa-ba", "Xã Ba")
    new_campaign(client, version, [one.id, two.id])
    campaign = read_campaign("2026")
    response = client.post(f"/admin/campaigns/{campaign.id}/targets", data={
        f"take_{one.id}": "1", f"n_{one.id}": "1.200",
        f"take_{three.id}": "1", f"fixed_{three.id}": "150"})
    assert response.status_code == 302
    rows = {row.unit_id: (row.transactions_n, row.fixed_target)
            for row in read_campaign("2026").targets}
    assert rows == {one.id: (1200, None), three.id: (None, 150)}
    assert audit_actions()[-1] == "campaign.targets"


@pytest.mark.parametrize(("n", "fixed", "message"), [
    ("", "", "nhập số hồ sơ N hoặc chỉ tiêu cố định"),
    ("-3", "", "không phải số nguyên không âm"),
    ("", "0", "chỉ tiêu cố định phải lớn hơn 0"),
    ("99999999999999999999", "", "số hồ sơ N phải từ 0 đến 10.000.000"),
])
def test_bad_targets_change_nothing(client, admin, make_unit, make_campaign, n, fixed, message):
    unit = make_unit()
    campaign = make_campaign([unit], state=CampaignState.DRAFT)
    response = client.post(f"/admin/campaigns/{campaign.id}/targets", data={
        f"take_{unit.id}": "1", f"n_{unit.id}": n, f"fixed_{unit.id}": fixed})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.rollback()
    row = db.session.scalar(select(CampaignUnit))
    assert (row.transactions_n, row.fixed_target) == (300, None)


def state_of(campaign_id: int) -> CampaignState:
    db.session.rollback()
    return db.session.get(Campaign, campaign_id).state


def test_campaign_moves_draft_open_closed_and_reopens(client, admin, make_unit, make_campaign,
                                                      audit_actions):
    campaign = make_campaign([make_unit()], state=CampaignState.DRAFT)
    url = f"/admin/campaigns/{campaign.id}/state"
    for target in ("open", "closed", "open"):
        assert client.post(url, data={"target": target, "confirmed": "1"}).status_code == 302
        assert state_of(campaign.id) is CampaignState(target)
    assert audit_actions() == ["campaign.state"] * 3


def test_the_campaign_page_says_when_it_was_closed(client, admin, make_unit, make_campaign):
    campaign = make_campaign([make_unit()])
    client.post(f"/admin/campaigns/{campaign.id}/state",
                data={"target": "closed", "confirmed": "1"})
    db.session.rollback()
    closed_at = db.session.get(Campaign, campaign.id).closed_at
    detail = client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    assert f"Đã đóng — đóng lúc {datetime_text(closed_at)}" in detail


@pytest.mark.parametrize(("start", "target", "status", "message"), [
    (CampaignState.DRAFT, "closed", 409, "Không thể chuyển đợt khảo sát từ trạng thái "
                                         "“Bản nháp” sang “Đã đóng”."),
    (CampaignState.OPEN, "open", 409, "từ trạng thái “Đang mở” sang “Đang mở”"),
    (CampaignState.CLOSED, "approved", 409, "Phê duyệt kết quả được thực hiện ở trang Kết quả"),
    (CampaignState.APPROVED, "open", 409, "từ trạng thái “Đã phê duyệt” sang “Đang mở”"),
    (CampaignState.OPEN, "deleted", 400, "Trạng thái yêu cầu không hợp lệ"),
])
def test_forbidden_transitions_are_refused_with_a_message(client, admin, make_unit,
                                                          make_campaign, start, target,
                                                          status, message, audit_actions):
    campaign = make_campaign([make_unit()], state=start)
    response = client.post(f"/admin/campaigns/{campaign.id}/state", data={"target": target})
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert state_of(campaign.id) is start
    assert audit_actions() == []


def test_a_campaign_without_units_cannot_open(client, admin, make_campaign):
    campaign = make_campaign([], state=CampaignState.DRAFT)
    response = client.post(f"/admin/campaigns/{campaign.id}/state", data={"target": "open"})
    assert response.status_code == 409
    assert state_of(campaign.id) is CampaignState.DRAFT


def test_campaign_pages_render(client, admin, make_unit, make_campaign, version):
    campaign = make_campaign([make_unit()])
    assert "Đang mở" in client.get("/admin/campaigns").get_data(as_text=True)
    detail = client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Đóng đợt khảo sát" in detail and 'class="grid"' in detail
    assert client.get("/admin/campaigns/new").status_code == 200


def test_date_inputs_read_and_show_dd_mm_yyyy_in_any_browser_language(app, client, admin):
    from survey_app.admin.audit_log import AuditFilterForm

    page = client.get("/admin/campaigns/new", headers={"Accept-Language": "en-US"})
    html = page.get_data(as_text=True)
    # a text box, not the browser's date picker (which shows mm/dd/yyyy in English browsers)
    for name in ("starts_on", "deadline"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert 'type="text"' in tag and 'placeholder="dd/mm/yyyy"' in tag, tag
    assert "Ngày/tháng/năm, ví dụ 20/12/2026" in html
    with app.test_request_context():
        form = AuditFilterForm(data={"date_from": date(2026, 12, 3)})
        assert form.date_from._value() == "03/12/2026"
    filtered = client.get("/admin/audit?date_from=03/12/2026").get_data(as_text=True)
    assert re.search(r'name="date_from"[^>]*value="03/12/2026"', filtered) or \
        re.search(r'value="03/12/2026"[^>]*name="date_from"', filtered)


def test_units_are_ticked_boxes_with_a_filter_and_codes_read_as_names(client, admin, make_unit,
                                                                      version):
    make_unit("xa-canh-hien", "Xã Canh Hiển")
    for path in ("/admin/campaigns/new", "/admin/users/new"):
        html = client.get(path).get_data(as_text=True)
        assert re.search(r'<input[^>]*type="checkbox"[^>]*name="unit_ids"|'
                         r'<input[^>]*name="unit_ids"[^>]*type="checkbox"', html), path
        assert "<select multiple" not in html and "Ctrl" not in html, path
        assert 'class="check-filter"' in html and "check_filter.js" in html, path
    new_campaign(client, version, [])
    campaign = read_campaign("2026")
    detail = client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    assert "harassment" not in detail  # the block by its title, not its code
    assert "mean-of-criteria" not in detail
