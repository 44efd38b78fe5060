"""Admins scoped to a subtree of the unit tree (docs/units.md): a province admin sees and
manages the whole province, a commune admin only its commune and the units below it, on every
admin list, results page, download and API answer; outside, 403 or 404 and nothing written."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from survey_app.auth import visible_unit_ids
from survey_app.domain.accounts import api_tokens
from survey_app.domain.results import approval
from survey_app.extensions import db
from survey_app.models import (
    AuditEvent,
    Campaign,
    CampaignState,
    Role,
    Unit,
    UnitKind,
    User,
)


@dataclass
class Province:
    province: Unit
    department: Unit
    commune: Unit  # the commune admin's
    division: Unit  # below the commune
    other: Unit  # another commune of the province
    campaign: Campaign  # organised by the province over all four
    province_admin: User
    commune_admin: User
    commune_staff: User  # unit staff of the commune
    other_staff: User  # unit staff of the other commune


@pytest.fixture
def tree(make_unit, make_campaign, make_user) -> Province:
    province = make_unit("tinh", "Tỉnh Thử", UnitKind.PROVINCE)
    department = make_unit("so-noi-vu", "Sở Nội vụ", UnitKind.DEPARTMENT, parent=province)
    commune = make_unit("xa-minh", "Xã Của Mình", parent=province)
    division = make_unit("xa-minh-ttphcc", "Trung tâm phục vụ hành chính công xã Của Mình",
                         UnitKind.DIVISION, parent=commune)
    other = make_unit("xa-khac", "Xã Khác", parent=province)
    campaign = make_campaign([department, commune, division, other], code="tinh-2026",
                             organiser=province)
    province_admin, _ = make_user("qt-tinh", Role.ADMIN, units=[province])
    commune_admin, _ = make_user("qt-xa", Role.ADMIN, units=[commune])
    commune_staff, _ = make_user("cb-xa", units=[commune])
    other_staff, _ = make_user("cb-khac", units=[other])
    return Province(province, department, commune, division, other, campaign, province_admin,
                    commune_admin, commune_staff, other_staff)


def test_each_account_sees_its_subtree(tree, make_user):
    everyone, _ = make_user("qt-he-thong", Role.ADMIN)
    viewer, _ = make_user("xem-xa", Role.VIEWER, units=[tree.commune])
    all_ids = {u.id for u in (tree.province, tree.department, tree.commune, tree.division,
                              tree.other)}
    assert visible_unit_ids(everyone) is None
    assert visible_unit_ids(tree.province_admin) == all_ids
    assert visible_unit_ids(tree.commune_admin) == {tree.commune.id, tree.division.id}
    assert visible_unit_ids(viewer) == {tree.commune.id, tree.division.id}
    # unit staff: their units and the units below them
    assert visible_unit_ids(tree.commune_staff) == {tree.commune.id, tree.division.id}
    assert visible_unit_ids(tree.other_staff) == {tree.other.id}


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_a_commune_admin_lists_only_its_subtree(tree, client, login_as):
    login_as(tree.commune_admin)
    units = page(client, "/admin/units")
    assert "Xã Của Mình" in units and "Trung tâm phục vụ hành chính công" in units
    assert "Xã Khác" not in units and "Sở Nội vụ" not in units
    # the province shows only as the path above the commune, not as a unit to edit
    assert f'href="/admin/units/{tree.province.id}"' not in units
    users = page(client, "/admin/users")
    assert "cb-xa" in users and "qt-xa" in users
    assert "cb-khac" not in users and "qt-tinh" not in users
    # the province's campaign is the province admins' to manage
    assert "tinh-2026" not in page(client, "/admin/campaigns")
    for url in (f"/admin/campaigns/{tree.campaign.id}", f"/admin/units/{tree.other.id}",
                f"/admin/units/{tree.province.id}", f"/admin/units/{tree.other.id}/counters",
                f"/admin/counters/{tree.other.counters[0].id}",
                f"/admin/users/{tree.other_staff.id}", f"/admin/users/{tree.province_admin.id}",
                f"/results/unit/{tree.other.code}"):
        assert client.get(url).status_code == 403, url
    assert client.get("/admin/units/999999").status_code == 404
    form = page(client, "/admin/users/new")
    assert "Xã Khác" not in form and "Xã Của Mình" in form
    parents = page(client, "/admin/units/new")
    assert "Xã Khác" not in parents and "cấp cao nhất" not in parents


def test_a_province_admin_sees_the_whole_province(tree, client, login_as):
    login_as(tree.province_admin)
    units = page(client, "/admin/units")
    for name in ("Tỉnh Thử", "Sở Nội vụ", "Xã Của Mình", "Xã Khác", "Trung tâm phục vụ"):
        assert name in units
    assert "tinh-2026" in page(client, "/admin/campaigns")
    assert page(client, f"/admin/campaigns/{tree.campaign.id}")


def test_the_unit_list_is_a_tree_with_each_unit_s_path(tree, client, login_as):
    login_as(tree.province_admin)
    html = page(client, "/admin/units")
    rows = re.findall(r'<td class="tree-depth-(\d)">(?:<span aria-hidden="true">└ </span>)?'
                      r'([^<]+)</td>', html)
    assert [(int(depth), name) for depth, name in rows] == [
        (0, "Tỉnh Thử"), (1, "Sở Nội vụ"), (1, "Xã Của Mình"),
        (2, "Trung tâm phục vụ hành chính công xã Của Mình"), (1, "Xã Khác")]
    assert "Tỉnh Thử › Xã Của Mình" in html  # the division's path


def csrf(client, url: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                     client.get(url).get_data(as_text=True)).group(1)


@pytest.fixture
def config_overrides() -> dict:
    return {"WTF_CSRF_ENABLED": True}


def test_a_commune_admin_changes_nothing_outside_its_commune(tree, client, login_as):
    login_as(tree.commune_admin)
    token = csrf(client, "/admin/units/new")
    before = db.session.scalar(select(func.count(Unit.id)))
    for parent, why in ((tree.other.id, "Lựa chọn không hợp lệ"),
                        (0, "Lựa chọn không hợp lệ")):
        refused = client.post("/admin/units/new", data={
            "csrf_token": token, "code": "bp-moi", "name": "Bộ phận mới", "kind": "division",
            "parent_id": str(parent)})
        assert refused.status_code == 400 and why in refused.get_data(as_text=True)
    edit = client.post(f"/admin/units/{tree.other.id}", data={
        "csrf_token": token, "code": "xa-khac", "name": "Xã Khác Đổi Tên", "kind": "commune",
        "parent_id": str(tree.province.id)})
    assert edit.status_code == 403
    # moving its own commune elsewhere, or deactivating it: refused
    moved = client.post(f"/admin/units/{tree.commune.id}", data={
        "csrf_token": token, "code": "xa-minh", "name": "Xã Của Mình", "kind": "commune",
        "parent_id": str(tree.division.id)})
    assert moved.status_code == 400
    for role, units in (("admin", []), ("viewer", []), ("unit_staff", [tree.other.id])):
        made = client.post("/admin/users/new", data={
            "csrf_token": token, "username": f"moi-{role}", "full_name": "Người Mới",
            "role": role, "unit_ids": [str(u) for u in units]})
        assert made.status_code == 400, role
    assert client.post(f"/admin/users/{tree.other_staff.id}/reset-password",
                       data={"csrf_token": token, "confirmed": "1"}).status_code == 403
    assert client.post(f"/admin/campaigns/{tree.campaign.id}/state",
                       data={"csrf_token": token, "target": "closed"}).status_code == 403
    db.session.rollback()
    assert db.session.scalar(select(func.count(Unit.id))) == before
    assert db.session.scalar(select(func.count(User.id))) == 4
    assert db.session.scalar(select(Unit.name).filter_by(code="xa-khac")) == "Xã Khác"
    assert db.session.get(Campaign, tree.campaign.id).state is CampaignState.OPEN


def test_a_commune_admin_works_inside_its_commune(tree, client, login_as):
    login_as(tree.commune_admin)
    token = csrf(client, "/admin/units/new")
    made = client.post("/admin/units/new", data={
        "csrf_token": token, "code": "xa-minh-vp", "name": "Văn phòng HĐND và UBND xã",
        "kind": "division", "parent_id": str(tree.commune.id)})
    assert made.status_code == 302
    staff = client.post("/admin/users/new", data={
        "csrf_token": token, "username": "cb-ttphcc", "full_name": "Cán bộ Trung tâm",
        "role": "unit_staff", "unit_ids": [str(tree.division.id)]})
    assert staff.status_code == 200 and "secret" in staff.get_data(as_text=True)
    # an admin of its own commune (no wider than itself)
    deputy = client.post("/admin/users/new", data={
        "csrf_token": token, "username": "qt-xa-2", "full_name": "Phó Quản trị",
        "role": "admin", "unit_ids": [str(tree.commune.id)]})
    assert deputy.status_code == 200
    # its own commune: renamed, staying where it is
    renamed = client.post(f"/admin/units/{tree.commune.id}", data={
        "csrf_token": token, "code": "xa-minh", "name": "Xã Của Mình Mới", "kind": "commune",
        "parent_id": str(tree.province.id)})
    assert renamed.status_code == 302
    db.session.rollback()
    assert db.session.get(Unit, tree.commune.id).name == "Xã Của Mình Mới"
    unit = db.session.scalar(select(Unit).filter_by(code="xa-minh-vp"))
    assert unit.parent_id == tree.commune.id and len(unit.counters) == 1
    new_staff = db.session.scalar(select(User).filter_by(username="cb-ttphcc"))
    assert [u.code for u in new_staff.units] == ["xa-minh-ttphcc"]
    assert [u.code for u in db.session.scalar(select(User).filter_by(
        username="qt-xa-2")).units] == ["xa-minh"]


def test_a_commune_campaign_covers_only_the_commune_s_subtree(tree, client, login_as):
    from survey_app.domain.campaigns.instruments import published_version

    login_as(tree.commune_admin)
    token = csrf(client, "/admin/campaigns/new")
    form = client.get("/admin/campaigns/new").get_data(as_text=True)
    assert "Xã Khác" not in form and "Toàn hệ thống" not in form
    body = {"csrf_token": token, "code": "xa-2026", "name": "Khảo sát các bộ phận",
            "instrument_version_id": str(published_version("sipas-2640").id),
            "starts_on": "01/01/2026", "deadline": "20/12/2026",
            "headline_method": "mean-of-elements", "weighting": "respondent",
            "min_compare_responses": "30", "valid_threshold": "0,5",
            "margin_of_error": "0,05", "organiser_id": str(tree.commune.id),
            "unit_ids": [str(tree.division.id)]}
    assert client.post("/admin/campaigns/new",
                       data={**body, "organiser_id": str(tree.province.id)}).status_code == 400
    created = client.post("/admin/campaigns/new", data=body)
    assert created.status_code == 302
    db.session.rollback()
    campaign = db.session.scalar(select(Campaign).filter_by(code="xa-2026"))
    assert campaign.organiser_id == tree.commune.id
    assert [t.unit_id for t in campaign.targets] == [tree.division.id]
    assert "xa-2026" in page(client, "/admin/campaigns")


def test_approval_belongs_to_the_organiser_s_admins(tree):
    tree.campaign.state = CampaignState.CLOSED
    db.session.commit()
    assert approval.approval_refusal(tree.campaign, tree.province_admin) is None
    assert "đơn vị tổ chức" in approval.approval_refusal(tree.campaign, tree.commune_admin)


def test_results_downloads_and_the_api_show_a_commune_admin_its_subtree(
        tree, client, login_as, add_responses):
    for unit in (tree.department, tree.commune, tree.division, tree.other):
        add_responses(tree.campaign, unit, 35)
    login_as(tree.commune_admin)
    index = page(client, "/results/?campaign=tinh-2026")
    assert "Xã Của Mình" in index and "Trung tâm phục vụ" in index
    assert "Xã Khác" not in index and "Sở Nội vụ" not in index
    csv = client.get("/results/download/csv?campaign=tinh-2026")
    assert csv.status_code == 200
    text = csv.get_data().decode("utf-8-sig")
    assert "xa-minh" in text and "xa-khac" not in text and "so-noi-vu" not in text
    secret = api_tokens.create_token(tree.commune_admin, "Thử").secret
    db.session.commit()
    listed = client.get("/api/v1/units", headers={"Authorization": f"Bearer {secret}"})
    assert listed.status_code == 200
    assert {u["code"] for u in listed.get_json()["items"]} == {"xa-minh", "xa-minh-ttphcc"}
    assert client.get("/api/v1/units/xa-khac",
                      headers={"Authorization": f"Bearer {secret}"}).status_code in (403, 404)


def test_the_audit_log_shows_a_commune_admin_what_its_accounts_did(tree, client, login_as):
    from survey_app.domain.audit import audit

    audit.record("login.success", user=tree.other_staff)
    audit.record("login.success", user=tree.commune_staff)
    db.session.commit()
    login_as(tree.commune_admin)
    log = page(client, "/admin/audit")
    assert "cb-xa" in log and "cb-khac" not in log
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 2


def test_odk_collect_serves_a_commune_admin_only_its_subtree(tree, client):
    from tests.openrosa.openrosa_support import PROTOCOL, basic

    # make_user's password; the fixture accounts need not change it
    auth = {**PROTOCOL, **basic("qt-xa", "mat-khau-thu-123")}
    own = client.get("/openrosa/tinh-2026/xa-minh-ttphcc/formList", headers=auth)
    assert own.status_code == 200
    other = client.get("/openrosa/tinh-2026/xa-khac/formList", headers=auth)
    assert other.status_code == 403 and "không phụ trách Xã Khác" in other.get_data(as_text=True)
