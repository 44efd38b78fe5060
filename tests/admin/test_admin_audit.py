"""The audit log viewer: filters, pages, values shown escaped."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from sqlalchemy import func, select

import survey_app
from survey_app.domain.audit import audit
from survey_app.domain.audit.actions import ACTION_NAMES
from survey_app.extensions import db
from survey_app.models import AuditEvent
from survey_app.support.dates import today_local


def add_events(admin, count: int, action: str = "unit.create", **fields) -> None:
    for number in range(count):
        audit.record(action, object_type="unit", object_id=f"u{number}", user=admin, **fields)
    db.session.commit()


def test_the_log_shows_events_newest_first_with_escaped_values(client, admin):
    add_events(admin, 1, after={"name": "<script>alert(1)</script>"})
    add_events(admin, 1, action="counter.revoke")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert page.index("<td>Thu hồi quầy</td>") < page.index("<td>Thêm đơn vị</td>")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_filters_narrow_by_action_user_type_and_dates(client, admin, make_user):
    other, _ = make_user("khac", role=admin.role)
    add_events(admin, 2)
    add_events(other, 3, action="user.update")
    page = client.get("/admin/audit?action=user.update").get_data(as_text=True)
    assert "3 sự kiện" in page
    page = client.get(f"/admin/audit?user_id={admin.id}").get_data(as_text=True)
    assert "2 sự kiện" in page
    today = today_local().strftime("%d/%m/%Y")  # the filter reads local dates
    assert "5 sự kiện" in client.get(f"/admin/audit?date_from={today}&date_to={today}"
                                     ).get_data(as_text=True)
    assert "0 sự kiện" in client.get("/admin/audit?date_to=01/01/2020").get_data(as_text=True)


def test_a_bad_filter_date_is_a_400_not_a_500(client, admin):
    response = client.get("/admin/audit?date_from=31/02/2026")
    assert response.status_code == 400
    assert "Ngày không hợp lệ (dd/mm/yyyy)." in response.get_data(as_text=True)


def test_the_log_is_paginated(client, admin):
    add_events(admin, 60)
    first = client.get("/admin/audit").get_data(as_text=True)
    assert "trang 1/2" in first and "Trang sau" in first
    second = client.get("/admin/audit?page=2").get_data(as_text=True)
    assert "trang 2/2" in second and second.count("<td>Thêm đơn vị</td>") == 10
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 60


def test_events_read_in_words_with_the_fields_that_changed(client, admin, make_unit,
                                                           make_campaign):
    unit = make_unit("xa-thu", "Xã Thử")
    make_campaign([unit])
    counter = unit.counters[0]
    client.post(f"/admin/counters/{counter.id}/regenerate", data={"confirmed": "1"})
    client.post(f"/admin/units/{unit.id}/active", data={"active": "0", "confirmed": "1"})
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "<td>Cấp lại mã QR quầy</td>" in page and f"<td>Quầy {counter.id}</td>" in page
    assert "<td>Ngừng hoạt động đơn vị</td>" in page and "<td>Đơn vị xa-thu</td>" in page
    assert "<li>Đang hoạt động: có → không</li>" in page
    assert f"{admin.full_name} ({admin.username})" in page
    assert "unit.deactivate" not in page.split("<table")[1]  # codes stay out of the table


def test_the_unit_filter_finds_the_unit_and_its_counters(client, admin, make_unit,
                                                         make_campaign):
    ours, other = make_unit("xa-ta", "Xã Ta"), make_unit("xa-ho", "Xã Họ")
    make_campaign([ours, other])
    client.post(f"/admin/counters/{ours.counters[0].id}/regenerate", data={"confirmed": "1"})
    client.post(f"/admin/units/{ours.id}/active", data={"active": "0", "confirmed": "1"})
    client.post(f"/admin/counters/{other.counters[0].id}/regenerate", data={"confirmed": "1"})
    page = client.get(f"/admin/audit?unit_id={ours.id}").get_data(as_text=True)
    assert "2 sự kiện" in page
    assert f"<td>Quầy {other.counters[0].id}</td>" not in page


def test_the_filtered_log_downloads_as_csv_in_words(client, admin):
    add_events(admin, 2, after={"name": "Xã Thử"}, note="=HYPERLINK(\"http://x\")")
    add_events(admin, 1, action="counter.revoke")
    reply = client.get("/admin/audit?action=unit.create&format=csv")
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    text = reply.get_data().decode("utf-8")
    assert text.startswith("\ufeffThời điểm,Người thực hiện,Thao tác")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 3 and {row[2] for row in rows[1:]} == {"Thêm đơn vị"}
    assert rows[1][4] == "Tên: Xã Thử"
    assert rows[1][5].startswith("'=HYPERLINK")  # a formula never runs in Excel


def test_every_action_the_code_records_has_a_vietnamese_name():
    recorded = set()
    for path in Path(survey_app.__file__).parent.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        recorded |= set(re.findall(r'record\(\s*"([a-z_]+(?:\.[a-z_]+)?)"', text))
        for pair in re.findall(r'"([a-z_]+\.[a-z_]+)" if [a-z_]+ else "([a-z_]+\.[a-z_]+)"',
                               text):
            recorded |= set(pair)  # record("unit.activate" if active else "unit.deactivate")
        recorded |= set(re.findall(r'action: str = "([a-z_.]+)"', text))
    assert len(recorded) >= 30
    assert sorted(recorded - set(ACTION_NAMES)) == []
