"""Every staff, admin and results route, walked by people who must be refused.

The routes are read from ``app.url_map`` at test time, so pages added later are walked too.
Path arguments are filled with the ids of *another* unit's objects and with those ids ±1
(the neighbouring objects also belong to other units); after the walk the whole database is
read back and must be exactly as before.

- anonymous: GET → redirect to the login page; POST → 302 to login, 401 or 403;
- unit staff of another unit: 403/404 on every admin route and on every route whose path
  names a unit-scoped object (a form POST naming another unit's objects must not write);
- viewer: 403 on every state-changing route.

State-changing requests carry a valid CSRF token, so a refusal comes from authorization.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.routing import AnyConverter, IntegerConverter, UUIDConverter

from survey_app.domain.paper.serials import damm_digit
from survey_app.extensions import db
from survey_app.models import (
    Channel,
    Counter,
    Response,
    ResponseStatus,
    Role,
    ScanCrop,
    ScanPage,
    ScanState,
    Sheet,
    SheetBatch,
    Unit,
    User,
    VerificationEntry,
    utcnow,
)

WALKED_BLUEPRINTS = ("staff", "admin", "results")
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Meant to be open to anonymous visitors: the login page itself.
PUBLIC_ENDPOINTS = frozenset({"staff.login"})
#: Act only on the signed-in person's own account (every role may use them); walking them
#: as a signed-in person would end the walker's own session. Anonymous visitors are still
#: walked through them and must be sent to the login page.
#: The account's own API tokens act only on the signed-in person's tokens too (another
#: account's token is a 404: tests/api/test_tokens.py), and every role may make them.
OWN_ACCOUNT_ENDPOINTS = frozenset({"staff.login", "staff.logout", "staff.change_password",
                                   "staff.api_tokens", "staff.api_token_revoke"})
#: Argument-name fragments → the kind of object they name, first match wins.
ARG_KINDS = (("verification", "verification"), ("scan", "scan"), ("counter", "counter"),
             ("batch", "batch"),
             ("serial", "serial"), ("sheet", "sheet"), ("response", "response"),
             ("entry", "response"), ("unit", "unit"), ("campaign", "campaign"),
             ("user", "user"), ("token", "token"))
#: Kinds that belong to one unit: naming another unit's one must be refused.
UNIT_SCOPED = frozenset({"verification", "scan", "counter", "batch", "serial", "sheet",
                         "response", "unit", "token"})
#: Plausible values for non-id string arguments, so the view reaches its authorization check.
WORD_HINTS = {"paper": "a4", "size": "a4", "kind": "png", "format": "pdf", "fmt": "pdf",
              "ext": "pdf", "lang": "vi"}


@pytest.fixture
def config_overrides() -> dict:
    return {"WTF_CSRF_ENABLED": True}


@dataclass
class World:
    """The other units' objects, by kind: the middle one is the target, ±1 its neighbours."""

    ids: dict[str, int]
    strings: dict[str, str]
    own: User
    viewer: User


def serial_for(number: int) -> str:
    body = f"{number:07d}"
    return body + damm_digit(body)


@pytest.fixture
def world(make_unit, make_campaign, make_user) -> World:
    own_unit = make_unit("xa-minh", "Xã Của Mình")
    others = [make_unit(f"xa-khac-{n}", f"Xã Khác {n}") for n in (1, 2, 3)]
    campaign = make_campaign([own_unit, *others])
    own, _ = make_user("canbo-minh", units=[own_unit])
    viewer, _ = make_user("nguoi-xem", Role.VIEWER)
    others_staff = [make_user(f"canbo-khac-{n}", units=[unit])[0]
                    for n, unit in enumerate(others, 1)]
    make_user("quantri", Role.ADMIN)
    version = campaign.instrument_version
    objects: dict[str, list] = {"batch": [], "sheet": [], "response": [], "verification": [],
                                "scan": []}
    for number, (unit, staff) in enumerate(zip(others, others_staff, strict=True), 1):
        batch = SheetBatch(campaign_id=campaign.id, unit_id=unit.id, sheet_count=1,
                           created_by_id=staff.id)
        sheet = Sheet(batch=batch, serial=serial_for(number * 1000 + 7))
        db.session.add_all([batch, sheet])
        db.session.flush()
        response = Response(
            submission_key=sheet.serial, payload_digest="0" * 64, campaign_id=campaign.id,
            unit_id=unit.id, counter_id=None, sheet_id=sheet.id,
            instrument_version_id=version.id, channel=Channel.PAPER,
            respondent_type="ca_nhan", submitted_at=utcnow() - timedelta(days=1), n_rated=0,
            status=ResponseStatus.FLAGGED, flag_reason="Thử kiểm tra quyền",
            entered_by_id=staff.id)
        db.session.add(response)
        db.session.flush()
        entry = VerificationEntry(response_id=response.id, entered_by_id=staff.id,
                                  payload={"answers": {}}, matches=False)
        # A scanned page of the unit waiting for review, with the crop of its row.
        scan = ScanPage(campaign_id=campaign.id, unit_id=unit.id, sheet_id=sheet.id,
                        sheet_page=2, state=ScanState.REVIEW, image_sha256="0" * 64,
                        source="lo.pdf", file_page=2, uploaded_by_id=staff.id,
                        readings={"tc1": {"kind": "item", "decision": "double",
                                          "value": None, "review": "nhiều ô"}},
                        crops=[ScanCrop(code="tc1", png=b"\x89PNG")])
        db.session.add_all([entry, scan])
        db.session.flush()
        for kind, obj in (("batch", batch), ("sheet", sheet), ("response", response),
                          ("verification", entry), ("scan", scan)):
            objects[kind].append(obj)
    db.session.commit()
    target = others[1]
    ids = {"unit": target.id, "counter": target.counters[0].id, "campaign": campaign.id,
           "user": others_staff[1].id, "batch": objects["batch"][1].id,
           "sheet": objects["sheet"][1].id, "response": objects["response"][1].id,
           "verification": objects["verification"][1].id, "scan": objects["scan"][1].id}
    strings = {"serial": objects["sheet"][1].serial, "token": target.counters[0].token,
               "code": target.code}
    # The neighbours (±1) of every target must belong to other units too.
    for model, key in ((Unit, "unit"), (Counter, "counter"), (SheetBatch, "batch"),
                       (Sheet, "sheet"), (Response, "response"), (ScanPage, "scan")):
        for neighbour in (ids[key] - 1, ids[key] + 1):
            row = db.session.get(model, neighbour)
            assert row is None or _unit_of(row) in {unit.id for unit in others}, (key, row)
    return World(ids=ids, strings=strings, own=own, viewer=viewer)


def _unit_of(row) -> int:
    if isinstance(row, Unit):
        return row.id
    if isinstance(row, Sheet):
        return row.batch.unit_id
    return row.unit_id


def kind_of(name: str) -> str | None:
    lowered = name.lower()
    for fragment, kind in ARG_KINDS:
        if fragment in lowered:
            return kind
    return None


def arg_values(name: str, converter, world: World) -> list:
    """Values to try for one path argument: the other unit's object, then its neighbours."""
    kind = kind_of(name)
    if isinstance(converter, IntegerConverter):
        base = world.ids.get(kind or "unit", world.ids["unit"])
        return [base, base - 1, base + 1]
    if isinstance(converter, AnyConverter):
        return [next(iter(converter.items))] if hasattr(converter, "items") else ["x"]
    if isinstance(converter, UUIDConverter):
        return [uuid.UUID(int=world.ids["unit"])]
    if kind in world.strings:
        return [world.strings[kind]]
    if kind in world.ids:
        return [str(world.ids[kind])]
    return [WORD_HINTS.get(name.lower(), "x")]


def walked_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in WALKED_BLUEPRINTS:
            yield rule


def requests_for(app, rule, world: World):
    """(method, url, names a unit-scoped object) for every filled-in variant of ``rule``."""
    names = sorted(rule.arguments)
    variants: list[dict] = [{}]
    for name in names:
        values = arg_values(name, rule._converters[name], world)
        variants = [dict(variant, **{name: value}) for variant in variants for value in values]
    scoped = any(kind_of(name) in UNIT_SCOPED for name in names)
    adapter = app.url_map.bind("localhost")
    for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
        for values in variants:
            url = adapter.build(rule.endpoint, values, method=method)
            yield method, url, scoped


def form_naming_other_units(world: World, token: str) -> dict:
    """A POST body that names the other unit's objects under the usual field names."""
    ids, strings = world.ids, world.strings
    return {"csrf_token": token, "unit": ids["unit"], "unit_id": ids["unit"],
            "campaign": ids["campaign"], "campaign_id": ids["campaign"],
            "counter": ids["counter"], "counter_id": ids["counter"], "count": "5",
            "serial": strings["serial"], "response_id": ids["response"],
            "batch_id": ids["batch"], "name": "Thử", "code": "thu-quyen", "active": "0",
            "target": "closed", "decision": "clear", "role": "admin"}


def csrf_token(client) -> str:
    page = client.get("/staff/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


#: Derived data any view of the results may write: the computed results cached for the
#: fingerprint of the other tables (domain/results/result_cache.py). Those tables' digests
#: must not change; this one follows from them.
DERIVED = {"result_cache"}


def database_digest() -> dict[str, str]:
    """A digest of every row of every table (but the derived cache), read back."""
    db.session.rollback()  # end the read snapshot: see what the requests wrote
    digests = {}
    for table in db.metadata.sorted_tables:
        if table.name in DERIVED:
            continue
        rows = sorted(repr(tuple(row)) for row in db.session.execute(select(table)))
        digests[table.name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digests


def send(client, method: str, url: str, body: dict):
    """One request; the reply is closed at once, as a server closes it after sending it
    (a streamed download keeps its file open until then)."""
    if method in STATE_CHANGING:
        response = client.open(url, method=method, data=body,
                               headers={"X-CSRFToken": body["csrf_token"]})
    else:
        response = client.open(url, method=method)
    response.close()
    return response


def test_the_walk_covers_every_blueprint_and_its_state_changing_routes(app):
    rules = list(walked_rules(app))
    blueprints = {rule.endpoint.split(".")[0] for rule in rules}
    assert {"staff", "admin"} <= blueprints
    assert any(rule.methods & STATE_CHANGING for rule in rules)
    assert any(rule.arguments for rule in rules)


def test_anonymous_visitors_are_sent_to_login_everywhere(app, client, world):
    token = csrf_token(client)
    before = database_digest()
    wrong = []
    for rule in walked_rules(app):
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        for method, url, _ in requests_for(app, rule, world):
            response = send(client, method, url, form_naming_other_units(world, token))
            location = response.headers.get("Location", "")
            to_login = response.status_code == 302 and location.startswith("/staff/login")
            refused = to_login if method not in STATE_CHANGING else (
                to_login or response.status_code in (401, 403))
            if not refused:
                wrong.append(f"{method} {url} → {response.status_code} {location}")
    assert wrong == []
    assert database_digest() == before


def test_staff_of_another_unit_are_refused(app, client, world, login_as):
    token = csrf_token(client)
    login_as(world.own)
    before = database_digest()
    wrong = []
    for rule in walked_rules(app):
        if rule.endpoint in OWN_ACCOUNT_ENDPOINTS:
            continue
        is_admin = rule.endpoint.startswith("admin.")
        for method, url, scoped in requests_for(app, rule, world):
            response = send(client, method, url, form_naming_other_units(world, token))
            status = response.status_code
            if is_admin and status != 403:
                wrong.append(f"{method} {url} → {status} (admin page)")
            elif scoped and status not in (403, 404):
                wrong.append(f"{method} {url} → {status} (another unit's object)")
            elif status >= 500:
                wrong.append(f"{method} {url} → {status}")
    assert wrong == []
    assert database_digest() == before


def test_viewers_change_nothing(app, client, world, login_as):
    token = csrf_token(client)
    login_as(world.viewer)
    before = database_digest()
    wrong = []
    for rule in walked_rules(app):
        if rule.endpoint in OWN_ACCOUNT_ENDPOINTS:
            continue
        for method, url, _ in requests_for(app, rule, world):
            if method not in STATE_CHANGING and not rule.endpoint.startswith("admin."):
                continue
            response = send(client, method, url, form_naming_other_units(world, token))
            if response.status_code != 403:
                wrong.append(f"{method} {url} → {response.status_code}")
    assert wrong == []
    assert database_digest() == before


def test_an_admin_of_another_commune_is_refused(app, client, world, make_user, login_as):
    """An admin scoped to its own commune (docs/units.md): every admin route naming another
    commune's unit, counter, account or campaign (the campaign covers both communes and
    belongs to the whole installation) is 403/404, as is every staff and results route
    naming another unit's object; nothing is written."""
    commune_admin, _ = make_user("qt-xa-minh", Role.ADMIN, units=list(world.own.units))
    token = csrf_token(client)
    login_as(commune_admin)
    before = database_digest()
    wrong = []
    for rule in walked_rules(app):
        if rule.endpoint in OWN_ACCOUNT_ENDPOINTS:
            continue
        names_object = rule.endpoint.startswith("admin.") and bool(rule.arguments)
        for method, url, scoped in requests_for(app, rule, world):
            response = send(client, method, url, form_naming_other_units(world, token))
            status = response.status_code
            if (names_object or scoped) and status not in (403, 404):
                wrong.append(f"{method} {url} → {status} (another commune's object)")
            elif status >= 500:
                wrong.append(f"{method} {url} → {status}")
    assert wrong == []
    assert database_digest() == before
