"""Units: create, edit, deactivate, CSV import; admins only."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Role, Unit, UnitKind


def units_by_code() -> dict[str, Unit]:
    db.session.rollback()  # end the read snapshot: see what the requests wrote
    return {unit.code: unit for unit in db.session.scalars(select(Unit))}


def test_creating_a_unit_stores_it_with_a_counter_and_audits(client, admin, audit_actions):
    response = client.post("/admin/units/new", data={
        "code": "xa-moi", "name": "Xã Mới", "kind": "commune", "parent_id": "0",
        "field_codes": "ho_tich, chung_thuc"})
    assert response.status_code == 302
    unit = units_by_code()["xa-moi"]
    assert (unit.name, unit.kind, unit.field_codes) == ("Xã Mới", UnitKind.COMMUNE,
                                                        ["ho_tich", "chung_thuc"])
    assert len(unit.counters) == 1
    assert audit_actions() == ["unit.create"]
    page = client.get("/admin/units").get_data(as_text=True)
    assert "Xã Mới" in page and 'class="grid"' in page


@pytest.mark.parametrize(("code", "message"), [
    ("Xa Moi", "Mã chỉ gồm chữ thường"), ("xa/moi", "Mã chỉ gồm chữ thường"),
    ("xa-thu", "đã được dùng"),
])
def test_bad_unit_codes_are_refused_and_nothing_is_written(client, admin, make_unit, code,
                                                           message, audit_actions):
    make_unit()
    response = client.post("/admin/units/new", data={"code": code, "name": "Xã X",
                                                      "kind": "commune", "parent_id": "0"})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Unit)) == 1
    assert audit_actions() == []


def test_editing_a_unit_records_before_and_after(client, admin, make_unit):
    unit = make_unit()
    parent = make_unit("p-noi-vu", "Phòng Nội vụ", UnitKind.AGENCY)
    response = client.post(f"/admin/units/{unit.id}", data={
        "code": "xa-thu-2", "name": "Xã Thử Hai", "kind": "commune",
        "parent_id": str(parent.id), "field_codes": ""})
    assert response.status_code == 302
    stored = units_by_code()["xa-thu-2"]
    assert stored.parent_id == parent.id and stored.field_codes is None
    from survey_app.models import AuditEvent
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "unit.update"))
    assert event.before["name"] == "Xã Thử" and event.after["name"] == "Xã Thử Hai"


def test_a_unit_cannot_be_its_own_parent(client, admin, make_unit):
    unit = make_unit()
    child = make_unit("con", "Con", parent_id=unit.id)
    response = client.post(f"/admin/units/{unit.id}", data={
        "code": "xa-thu", "name": "Xã Thử", "kind": "commune", "parent_id": str(child.id)})
    assert response.status_code == 400
    assert units_by_code()["xa-thu"].parent_id is None


def test_deactivating_a_unit_stops_its_counter_links(client, admin, make_unit, make_campaign,
                                                     audit_actions):
    unit = make_unit()
    make_campaign([unit])
    token = unit.counters[0].token
    assert client.get(f"/s/{token}").status_code == 200
    assert client.post(f"/admin/units/{unit.id}/active",
                       data={"active": "0", "confirmed": "1"}).status_code == 302
    assert units_by_code()["xa-thu"].is_active is False
    assert client.get(f"/s/{token}").status_code == 404
    client.post(f"/admin/units/{unit.id}/active", data={"active": "1"})
    assert client.get(f"/s/{token}").status_code == 200
    assert audit_actions() == ["unit.deactivate", "unit.activate"]


def upload(client, text: str, encoding: str = "utf-8", bom: bool = False):
    body = (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)
    return client.post("/admin/units/import", data={"file": (io.BytesIO(body), "donvi.csv")},
                       content_type="multipart/form-data")


@pytest.mark.parametrize("bom", [False, True])
def test_importing_a_good_unit_list_adds_every_unit(client, admin, bom, audit_actions):
    response = upload(client, "code;name;kind;parent_code;field_codes\n"
                              "huyen-a;Huyện A;agency;;\n"
                              "xa-b;Xã B;UBND xã, thị trấn;huyen-a;ho_tich chung_thuc\n", bom=bom)
    assert response.status_code == 302
    units = units_by_code()
    assert units["xa-b"].parent_id == units["huyen-a"].id
    assert units["xa-b"].kind is UnitKind.COMMUNE
    assert units["xa-b"].field_codes == ["ho_tich", "chung_thuc"]
    assert audit_actions() == ["unit.create", "unit.create", "unit.import"]


def test_a_bad_unit_list_imports_nothing_and_lists_every_problem(client, admin, make_unit,
                                                                 audit_actions):
    make_unit()
    response = upload(client, "code,name,kind\n"
                              "xa-moi,Xã Mới,commune\n"
                              "Xa Sai,Xã Sai,commune\n"
                              "xa-thu,Trùng,commune\n"
                              "xa-moi,Lặp,commune\n"
                              "xa-k,Xã K,tinh\n")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    for expected in ("Dòng 3, cột code", "Dòng 4, cột code: mã “xa-thu” đã có",
                     "Dòng 5, cột code: mã “xa-moi” trùng với dòng 2", "Dòng 6, cột kind"):
        assert expected in text
    assert set(units_by_code()) == {"xa-thu"}
    assert audit_actions() == []


def test_a_unit_list_not_in_utf8_is_refused(client, admin):
    response = upload(client, "code,name,kind\nxa-a,Xa Âu,commune\n", encoding="latin-1")
    assert response.status_code == 400
    assert "không phải UTF-8" in response.get_data(as_text=True)
    assert units_by_code() == {}


@pytest.mark.parametrize("role", [Role.UNIT_STAFF, Role.VIEWER])
def test_non_admins_are_refused(client, make_unit, make_user, login_as, role):
    unit = make_unit()
    user, _ = make_user(role=role, units=[unit])
    login_as(user)
    assert client.get("/admin/units").status_code == 403
    response = client.post("/admin/units/new", data={"code": "xa-moi", "name": "Xã Mới",
                                                      "kind": "commune", "parent_id": "0"})
    assert response.status_code == 403
    assert set(units_by_code()) == {"xa-thu"}


def test_the_unit_list_is_searched_and_paged_past_50_rows(client, admin, make_unit):
    for number in range(60):
        make_unit(f"xa-so-{number:02d}", f"Xã Số {number:02d}")
    make_unit("p-tu-phap", "Phòng Tư pháp")
    first = client.get("/admin/units").get_data(as_text=True)
    assert "61 đơn vị; trang 1/2" in first and first.count("<td><code>") == 50
    assert "Trang sau" in first
    second = client.get("/admin/units?page=2").get_data(as_text=True)
    assert second.count("<td><code>") == 11
    found = client.get("/admin/units?q=tư pháp").get_data(as_text=True)
    assert "1 đơn vị có “tư pháp”" in found and "<code>p-tu-phap</code>" in found
    assert "<code>xa-so-01</code>" not in found
    by_code = client.get("/admin/units?q=XA-SO-5").get_data(as_text=True)
    assert "10 đơn vị" in by_code
    assert client.get("/admin/units?q=%25_").status_code == 200  # LIKE's signs are letters here
    assert "0 đơn vị" in client.get("/admin/units?q=%25_").get_data(as_text=True)
