"""What a campaign's totals are called after the level of the unit that organises it:
"Toàn tỉnh" for a province, "Toàn xã" / "Toàn phường" for a commune or ward, "Toàn huyện"
for a historical district (and for old data without an organiser). No heavy imports: the
admin pages and the exports read it too (docs/results-json.md, ``organiser``)."""

from __future__ import annotations

from typing import Any

from ...models import Unit, UnitKind

#: The level word of a historical district, and of a campaign without an organiser.
DISTRICT_WORD = "huyện"


def level_word(unit: Unit | None) -> str:
    """"tỉnh", "xã", "phường", "thị trấn", "huyện", or "đơn vị" for a department or a
    division organising its own survey."""
    if unit is None or unit.kind is UnitKind.DISTRICT:
        return DISTRICT_WORD
    if unit.kind is UnitKind.PROVINCE:
        return "thành phố" if unit.name.startswith("Thành phố") else "tỉnh"
    if unit.kind is UnitKind.COMMUNE:
        for prefix, word in (("Phường", "phường"), ("Thị trấn", "thị trấn"),
                             ("Đặc khu", "đặc khu")):
            if unit.name.startswith(prefix):
                return word
        return "xã"
    return "đơn vị"


def total_name(word: str) -> str:
    """"Toàn tỉnh" for "tỉnh"."""
    return f"Toàn {word}"


def organiser_entry(unit: Unit | None) -> dict[str, Any]:
    """The ``organiser`` of the results header: who organises, and what its totals are
    called."""
    word = level_word(unit)
    return {"code": unit.code if unit is not None else None,
            "name": unit.name if unit is not None else None,
            "kind": unit.kind.value if unit is not None else None,
            "level": word, "total_name": total_name(word)}


def neutral_total() -> str:
    """The words for "the organising unit's total" where the campaign is not known yet
    (the admin form)."""
    return "toàn đơn vị tổ chức"


def name_totals(results: dict[str, Any]) -> None:
    """Name the totals of ``results`` (the campaign's and each cut group's) after the
    organiser's level; the computed parts say "Toàn huyện", whoever organises."""
    name = (results.get("organiser") or {}).get("total_name") or total_name(DISTRICT_WORD)
    if isinstance(results.get("district"), dict):
        results["district"] = {**results["district"], "unit_name": name}
    sections = [results.get("by"), *(results.get("cuts") or {}).values()]
    for section in sections:
        if isinstance(section, dict):
            section["groups"] = [{**group, "district": {**group["district"], "unit_name": name}}
                                 if isinstance(group.get("district"), dict) else group
                                 for group in section.get("groups") or []]

