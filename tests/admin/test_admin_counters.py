"""Counters: create, rename, revoke, regenerate the QR link (the old one stops working)."""

from __future__ import annotations

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent, Counter


def counters_of(unit_id: int) -> list[Counter]:
    db.session.rollback()  # end the read snapshot: see what the requests wrote
    return list(db.session.scalars(select(Counter).where(Counter.unit_id == unit_id)
                                   .order_by(Counter.id)))


def test_adding_and_renaming_a_counter(client, admin, make_unit, audit_actions):
    unit = make_unit()
    response = client.post(f"/admin/units/{unit.id}/counters",
                           data={"name": "Quầy 2", "kiosk": "y"})
    assert response.status_code == 302
    added = counters_of(unit.id)[1]
    assert (added.name, added.kiosk, added.is_active) == ("Quầy 2", True, True)
    token = added.token
    client.post(f"/admin/counters/{added.id}", data={"name": "Quầy hộ tịch"})
    renamed = counters_of(unit.id)[1]
    assert (renamed.name, renamed.kiosk, renamed.token) == ("Quầy hộ tịch", False, token)
    assert audit_actions() == ["counter.create", "counter.update"]
    page = client.get(f"/admin/units/{unit.id}/counters").get_data(as_text=True)
    assert "Quầy hộ tịch" in page and f"/s/{token}" in page


def test_an_empty_counter_name_is_refused(client, admin, make_unit):
    unit = make_unit()
    response = client.post(f"/admin/units/{unit.id}/counters", data={"name": "  "})
    assert response.status_code == 400
    assert "Vui lòng nhập" in response.get_data(as_text=True)
    assert len(counters_of(unit.id)) == 1


def test_regenerating_the_token_makes_the_old_link_404(client, admin, make_unit, make_campaign,
                                                       audit_actions):
    unit = make_unit()
    make_campaign([unit])
    counter = unit.counters[0]
    old = counter.token
    assert client.get(f"/s/{old}").status_code == 200
    assert client.post(f"/admin/counters/{counter.id}/regenerate",
                       data={"confirmed": "1"}).status_code == 302
    new = counters_of(unit.id)[0].token
    assert new != old
    assert client.get(f"/s/{old}").status_code == 404
    assert client.get(f"/s/{new}").status_code == 200
    assert audit_actions() == ["counter.regenerate_token"]


def test_revoking_a_counter_stops_its_link_and_restoring_brings_it_back(client, admin,
                                                                       make_unit, make_campaign):
    unit = make_unit()
    make_campaign([unit])
    counter = unit.counters[0]
    client.post(f"/admin/counters/{counter.id}/active", data={"active": "0", "confirmed": "1"})
    assert counters_of(unit.id)[0].is_active is False
    assert client.get(f"/s/{counter.token}").status_code == 404
    client.post(f"/admin/counters/{counter.id}/active", data={"active": "1"})
    assert client.get(f"/s/{counter.token}").status_code == 200


def test_unknown_counters_and_units_are_404(client, admin):
    assert client.get("/admin/units/999/counters").status_code == 404
    assert client.post("/admin/counters/999/regenerate").status_code == 404


def test_a_counters_kiosk_shows_the_language_link_only_when_enabled(client, admin, make_unit,
                                                                     make_campaign):
    unit = make_unit()
    make_campaign([unit])
    counter = unit.counters[0]
    form = client.get(f"/admin/counters/{counter.id}").get_data(as_text=True)
    assert 'name="kiosk_language"' in form and "Hiện liên kết “English”" in form
    kiosk = f"/s/{counter.token}?kiosk=1"
    assert 'hreflang="en"' not in client.get(kiosk).get_data(as_text=True)
    assert 'hreflang="en"' in client.get(f"/s/{counter.token}").get_data(as_text=True)

    client.post(f"/admin/counters/{counter.id}",
                data={"name": counter.name, "kiosk": "y", "kiosk_language": "y"})
    saved = counters_of(unit.id)[0]
    assert (saved.kiosk, saved.kiosk_language) == (True, True)
    assert 'hreflang="en"' in client.get(kiosk).get_data(as_text=True)
    page = client.get(f"/admin/units/{unit.id}/counters").get_data(as_text=True)
    assert "có liên kết English" in page

    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "counter.update"))
    assert event.before["kiosk_language"] is False and event.after["kiosk_language"] is True
    log = client.get("/admin/audit").get_data(as_text=True)
    assert "Liên kết ngôn ngữ trên máy tính bảng" in log

    client.post(f"/admin/counters/{counter.id}", data={"name": counter.name, "kiosk": "y"})
    assert counters_of(unit.id)[0].kiosk_language is False
    assert 'hreflang="en"' not in client.get(kiosk).get_data(as_text=True)


def test_a_new_counter_may_show_the_language_link_on_its_kiosk(client, admin, make_unit,
                                                                audit_actions):
    unit = make_unit()
    client.post(f"/admin/units/{unit.id}/counters",
                data={"name": "Quầy máy tính bảng", "kiosk": "y", "kiosk_language": "y"})
    added = counters_of(unit.id)[1]
    assert (added.kiosk, added.kiosk_language) == (True, True)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "counter.create"))
    assert event.one().after["kiosk_language"] is True
