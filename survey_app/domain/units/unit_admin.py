"""Managing units and their counters (admin only); every change is audited."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from ...errors import DomainError
from ...extensions import db
from ...models import Counter, Unit, UnitKind, User
from ...support.text import clean_text
from ..audit import audit

CODE_PATTERN = re.compile(r"^[a-z0-9-]{2,40}$")
FIELD_CODE_PATTERN = re.compile(r"^[a-z0-9_]{1,40}$")
CODE_RULE = ("Mã chỉ gồm chữ thường không dấu, số và dấu gạch ngang (2–40 ký tự), ví dụ "
             "xa-canh-hien.")


@dataclass
class UnitData:
    """What a person fills in for a unit."""

    code: str
    name: str
    kind: UnitKind
    parent_id: int | None = None
    field_codes: list[str] | None = None


def code_problem(code: str) -> str | None:
    """Why a unit code is refused, or None."""
    return None if CODE_PATTERN.match(code) else CODE_RULE


def parse_field_codes(raw: str) -> tuple[list[str] | None, str | None]:
    """``"ho_tich, chung_thuc"`` → codes (None when empty: the full list), or a problem."""
    codes = [code for code in re.split(r"[\s,;|]+", raw.strip().lower()) if code]
    bad = [code for code in codes if not FIELD_CODE_PATTERN.match(code)]
    if bad:
        return None, f"Mã lĩnh vực không hợp lệ: {', '.join(bad)} (chữ thường, số, “_”)."
    return (list(dict.fromkeys(codes)) or None), None


def unit_snapshot(unit: Unit) -> dict:
    return {"code": unit.code, "name": unit.name, "kind": unit.kind.value,
            "parent": unit.parent.code if unit.parent else None,
            "field_codes": unit.field_codes, "is_active": unit.is_active}


def _check(data: UnitData, unit: Unit | None) -> None:
    problem = code_problem(data.code)
    if problem:
        raise DomainError(problem)
    if not data.name:
        raise DomainError("Tên đơn vị không được để trống.")
    clash = db.session.scalar(select(Unit.id).where(Unit.code == data.code))
    if clash is not None and (unit is None or clash != unit.id):
        raise DomainError(f"Mã đơn vị “{data.code}” đã được dùng.")
    if data.parent_id is not None:
        parent = db.session.get(Unit, data.parent_id)
        if parent is None:
            raise DomainError("Đơn vị cấp trên không tồn tại.")
        ancestor: Unit | None = parent
        while ancestor is not None:
            if unit is not None and ancestor.id == unit.id:
                raise DomainError("Đơn vị cấp trên không thể là chính nó hoặc đơn vị cấp dưới.")
            ancestor = ancestor.parent


def create_unit(data: UnitData, *, actor: User | None) -> Unit:
    """A new unit with one counter named after it (caller commits)."""
    data.name = clean_text(data.name)
    _check(data, None)
    unit = Unit(code=data.code, name=data.name, kind=data.kind, parent_id=data.parent_id,
                field_codes=data.field_codes)
    unit.counters.append(Counter(name="Quầy tiếp nhận và trả kết quả"))
    db.session.add(unit)
    db.session.flush()
    audit.record("unit.create", user=actor, object_type="unit", object_id=unit.code,
                 after=unit_snapshot(unit))
    return unit


def update_unit(unit: Unit, data: UnitData, *, actor: User | None) -> None:
    """Change a unit's code, name, kind, parent or fields (caller commits)."""
    data.name = clean_text(data.name)
    _check(data, unit)
    before = unit_snapshot(unit)
    unit.code, unit.name, unit.kind = data.code, data.name, data.kind
    unit.parent_id, unit.field_codes = data.parent_id, data.field_codes
    db.session.flush()
    db.session.refresh(unit, ["parent"])
    audit.record("unit.update", user=actor, object_type="unit", object_id=unit.code,
                 before=before, after=unit_snapshot(unit))


def set_unit_active(unit: Unit, active: bool, *, actor: User | None) -> None:
    """Deactivate (its counters' links stop working) or reactivate a unit."""
    if unit.is_active == active:
        return
    unit.is_active = active
    audit.record("unit.activate" if active else "unit.deactivate", user=actor, object_type="unit",
                 object_id=unit.code, before={"is_active": not active},
                 after={"is_active": active})


def _counter_name(name: str) -> str:
    """A counter's name as stored (cleaned); an empty one is refused."""
    name = clean_text(name)
    if not name:
        raise DomainError("Tên quầy không được để trống.")
    return name


def create_counter(unit: Unit, name: str, kiosk: bool = False, *, actor: User | None,
                   kiosk_language: bool = False) -> Counter:
    """A new counter with its own link (caller commits)."""
    name = _counter_name(name)
    counter = Counter(unit=unit, name=name, kiosk=kiosk, kiosk_language=kiosk_language)
    db.session.add(counter)
    db.session.flush()
    audit.record("counter.create", user=actor, object_type="counter", object_id=counter.id,
                 after={"unit": unit.code, "name": name, "kiosk": kiosk,
                        "kiosk_language": kiosk_language})
    return counter


def rename_counter(counter: Counter, name: str, kiosk: bool, *, actor: User | None,
                   kiosk_language: bool | None = None) -> None:
    """Change a counter's name, kiosk mode or whether its kiosk shows the language link
    (``None``: unchanged); its link stays the same."""
    name = _counter_name(name)
    kiosk_language = counter.kiosk_language if kiosk_language is None else kiosk_language
    before = {"name": counter.name, "kiosk": counter.kiosk,
              "kiosk_language": counter.kiosk_language}
    counter.name, counter.kiosk, counter.kiosk_language = name, kiosk, kiosk_language
    audit.record("counter.update", user=actor, object_type="counter", object_id=counter.id,
                 before=before, after={"name": name, "kiosk": kiosk,
                                       "kiosk_language": kiosk_language})


def set_counter_active(counter: Counter, active: bool, *, actor: User | None) -> None:
    """Revoke a counter (its link stops working) or bring it back."""
    if counter.is_active == active:
        return
    counter.is_active = active
    audit.record("counter.activate" if active else "counter.revoke", user=actor,
                 object_type="counter",
                 object_id=counter.id, before={"is_active": not active},
                 after={"is_active": active})


def regenerate_counter_token(counter: Counter, *, actor: User | None) -> None:
    """Issue a new link; posters with the old QR code stop working."""
    counter.regenerate_token()
    audit.record("counter.regenerate_token", user=actor, object_type="counter",
                 object_id=counter.id,
                 note="mã QR cũ không còn hiệu lực")
