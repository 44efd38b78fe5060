"""Importing a unit list with validity dates and predecessors (docs/unit-history.md): all or
nothing, every problem by line and column, the same file twice changes nothing, audited."""

from __future__ import annotations

import io
from datetime import date

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent, Unit, UnitKind, UnitSuccession

REORGANISATION = (
    "code,name,kind,valid_from,valid_to,predecessors,effective_on\n"
    "xa-canh-hien,Xã Canh Hiển,commune,,30/06/2025,,\n"
    "xa-canh-hiep,Xã Canh Hiệp,commune,,30/06/2025,,\n"
    "huyen-van-canh,Huyện Vân Canh,district,,30/06/2025,,\n"
    'xa-canh-vinh,Xã Canh Vinh,commune,01/07/2025,,"xa-canh-hien;xa-canh-hiep",\n'
    "xa-van-canh,Xã Vân Canh,commune,01/07/2025,,xa-canh-thuan,15/07/2025\n"
    "xa-canh-thuan,Xã Canh Thuận,commune,,30/06/2025,,\n")


def upload(client, text: str):
    return client.post("/admin/units/import",
                       data={"file": (io.BytesIO(text.encode()), "sap-nhap.csv")},
                       content_type="multipart/form-data")


def links() -> set[tuple[str, str, date | None]]:
    db.session.rollback()  # end the read snapshot: see what the requests wrote
    rows = db.session.scalars(select(UnitSuccession)).all()
    return {(link.predecessor.code, link.successor.code, link.effective_on) for link in rows}


def units() -> dict[str, Unit]:
    db.session.rollback()
    return {unit.code: unit for unit in db.session.scalars(select(Unit))}


def test_a_merger_list_adds_the_new_communes_dates_and_links(client, admin, make_unit,
                                                            audit_actions):
    make_unit("xa-canh-hien", "Xã Canh Hiển")
    make_unit("xa-canh-hiep", "Xã Canh Hiệp")
    make_unit("huyen-van-canh", "Huyện Vân Canh", kind=UnitKind.DISTRICT)
    reply = upload(client, REORGANISATION)
    assert reply.status_code == 302
    page = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert ("Đã nhập 3 đơn vị mới, cập nhật lịch sử 3 đơn vị đã có, thêm 3 liên kết đơn vị "
            "tiền thân.") in page
    assert links() == {("xa-canh-hien", "xa-canh-vinh", date(2025, 7, 1)),
                       ("xa-canh-hiep", "xa-canh-vinh", date(2025, 7, 1)),
                       ("xa-canh-thuan", "xa-van-canh", date(2025, 7, 15))}
    found = units()
    assert found["xa-canh-vinh"].valid_from == date(2025, 7, 1)
    assert found["xa-canh-hien"].valid_to == date(2025, 6, 30)
    assert found["huyen-van-canh"].dissolved and not found["xa-canh-hien"].dissolved
    actions = audit_actions()
    assert actions.count("unit.create") == 3 and actions.count("unit.history") == 6
    assert actions[-1] == "unit.import"

    # The same file again: accepted, nothing changes, one more import in the log.
    again = upload(client, REORGANISATION)
    assert again.status_code == 302
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Tệp đã được nhập trước đây: không có gì thay đổi." in page
    assert len(units()) == 6 and len(links()) == 3
    assert audit_actions() == [*actions, "unit.import"]
    summary = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert summary.after == {"file": "sap-nhap.csv", "units": 6, "created": 0, "updated": 0,
                             "links": 0}


def test_the_unit_page_shows_predecessors_successors_and_validity(client, admin, make_unit):
    make_unit("xa-canh-hien", "Xã Canh Hiển")
    make_unit("xa-canh-hiep", "Xã Canh Hiệp")
    make_unit("huyen-van-canh", "Huyện Vân Canh", kind=UnitKind.DISTRICT)
    assert upload(client, REORGANISATION).status_code == 302
    found = units()
    merged = client.get(f"/admin/units/{found['xa-canh-vinh'].id}").get_data(as_text=True)
    assert "từ 01/07/2025" in merged
    assert "Xã Canh Hiển</a> (<code>xa-canh-hien</code>), từ 01/07/2025" in merged
    assert "Xã Canh Hiệp</a>" in merged
    old = client.get(f"/admin/units/{found['xa-canh-hien'].id}").get_data(as_text=True)
    assert "đến hết 30/06/2025" in old and "Xã Canh Vinh</a>" in old
    district = client.get(f"/admin/units/{found['huyen-van-canh'].id}")
    assert "đã giải thể, không có đơn vị kế tục" in district.get_data(as_text=True)


def test_every_history_problem_is_listed_by_line_and_column_and_nothing_is_written(
        client, admin, make_unit, audit_actions):
    make_unit("xa-a", "Xã A")
    make_unit("xa-b", "Xã B")
    db.session.add(UnitSuccession(predecessor_id=units()["xa-a"].id,
                                  successor_id=units()["xa-b"].id))
    db.session.commit()
    reply = upload(client, (
        "code,name,kind,valid_from,valid_to,predecessors,effective_on\n"
        "xa-moi,Xã Mới,commune,31/02/2025,,xa-a,\n"           # 2: not a day
        "xa-moi-2,Xã Mới 2,commune,01/07/2025,30/06/2025,,\n"  # 3: ends before it starts
        "xa-moi-3,Xã Mới 3,commune,,,xa-khong-co,\n"          # 4: unknown predecessor
        "xa-moi-4,Xã Mới 4,commune,,,xa-moi-4,\n"             # 5: itself
        "xa-a,Xã A,commune,,,xa-b,\n"                          # 6: B already came from A
        "xa-moi-5,Xã Mới 5,commune,,,,01/07/2025\n"           # 7: a date, no predecessor
        "xa-b,Xã Bê,commune,,,,\n"                             # 8: another name
        "xa-moi-6,Xã Mới 6,commune,1/7/25,,,\n"))              # 9: two-digit year
    assert reply.status_code == 400
    text = reply.get_data(as_text=True)
    for expected in (
            "Dòng 2, cột valid_from: ngày “31/02/2025” không hợp lệ (dd/mm/yyyy",
            "Dòng 3, cột valid_to: ngày hết hiệu lực 30/06/2025 trước ngày bắt đầu 01/07/2025",
            "Dòng 4, cột predecessors: đơn vị tiền thân “xa-khong-co” không có trong hệ thống",
            "Dòng 5, cột predecessors: đơn vị không thể là đơn vị tiền thân của chính nó",
            "Dòng 6, cột predecessors: “xa-b” đã là đơn vị kế tục của “xa-a”",
            "Dòng 7, cột effective_on: có ngày sáp nhập nhưng không có đơn vị tiền thân",
            "Dòng 8, cột code: mã “xa-b” đã có trong hệ thống với tên “Xã B”",
            "Dòng 9, cột valid_from: ngày “1/7/25” không hợp lệ"):
        assert expected in text
    assert set(units()) == {"xa-a", "xa-b"}
    assert len(links()) == 1 and audit_actions() == []

    # The loop alone.
    loop = upload(client, "code,name,kind,predecessors\nxa-a,Xã A,commune,xa-b\n")
    assert loop.status_code == 400
    assert ("Dòng 2, cột predecessors: “xa-b” đã là đơn vị kế tục của “xa-a”: liên kết này "
            "tạo vòng lặp.") in loop.get_data(as_text=True)
    assert len(links()) == 1 and audit_actions() == []


def test_the_command_line_imports_the_same_list(runner, make_unit, tmp_path):
    make_unit("xa-canh-hien", "Xã Canh Hiển")
    make_unit("xa-canh-hiep", "Xã Canh Hiệp")
    make_unit("huyen-van-canh", "Huyện Vân Canh", kind=UnitKind.DISTRICT)
    path = tmp_path / "sap-nhap.csv"
    path.write_bytes(REORGANISATION.encode())
    result = runner.invoke(args=["import-units", str(path)])
    assert result.exit_code == 0, result.output
    assert "Đã nhập 3 đơn vị mới" in result.output
    assert len(links()) == 3
    again = runner.invoke(args=["import-units", str(path)])
    assert again.exit_code == 0 and "không có gì thay đổi" in again.output
    path.write_bytes(b"code,name,kind,valid_to\nxa-x,X\xc3\xa3 X,commune,30-06-2025\n")
    refused = runner.invoke(args=["import-units", str(path)])
    assert refused.exit_code != 0
    assert "Dòng 2, cột valid_to: ngày “30-06-2025” không hợp lệ" in refused.output
    assert "xa-x" not in units()
