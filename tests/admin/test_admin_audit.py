"""The audit log viewer: filters, pages, values shown escaped."""

from __future__ import annotations

from sqlalchemy import func, select

from survey_app.domain.audit import audit
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
    assert page.index("counter.revoke") < page.index("<code>unit.create</code>")
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
    assert "trang 2/2" in second and second.count("<code>unit.create</code>") == 10
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 60
