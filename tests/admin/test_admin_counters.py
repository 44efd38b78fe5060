"""Counters: create, rename, revoke, regenerate the QR link (the old one stops working)."""

from __future__ import annotations

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Counter


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
