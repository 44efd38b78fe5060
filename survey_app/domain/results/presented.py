"""Results as a staff member is shown them: an approved campaign's frozen snapshot or fresh
numbers, only the units the user may see, a unit's entry and groups, and its comments."""

from __future__ import annotations

import copy
import unicodedata
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from ...auth import visible_unit_ids
from ...extensions import db
from ...models import Campaign, Response, ResponseStatus, ResultSnapshot, Unit, User
from ...support.lazy import lazy_module
from . import approval

results_service = lazy_module("survey_app.domain.results.results")  # pandas, on first use

COMMENT_LIMIT = 200


def snapshot_of(campaign: Campaign) -> ResultSnapshot | None:
    """The approved snapshot that stands for an approved campaign."""
    if not campaign.frozen:
        return None
    return approval.latest_snapshot(campaign)


def campaign_results(campaign: Campaign, by: str | None = None, levels: bool = False
                     ) -> dict[str, Any]:
    """The frozen numbers of an approved campaign, else freshly computed ones (with
    ``levels``: the levels of the unit tree too; a snapshot holds those approved with it,
    and one from before levels were stored has none, never levels of later data)."""
    snapshot = snapshot_of(campaign)
    if snapshot is None:
        return results_service.compute_campaign_results(campaign, by=by, levels=levels)
    results = copy.deepcopy(snapshot.results)
    if by is not None:
        # Approval stores every cut from the same data (results["cuts"]); an older
        # snapshot without them gets the cut from current data.
        cut = (results.get("cuts") or {}).get(by)
        results["by"] = cut or results_service.compute_campaign_results(campaign, by=by)["by"]
    return results


def results_with_cuts(campaign: Campaign, cuts: tuple[str, ...]) -> dict[str, Any]:
    """Results plus ``results["cuts"][dimension]`` for each cut, all from the same data."""
    snapshot = snapshot_of(campaign)
    if snapshot is None:
        return results_service.compute(campaign, cuts=cuts).results
    results = copy.deepcopy(snapshot.results)
    stored = results.get("cuts") or {}
    missing = tuple(cut for cut in cuts if cut not in stored)
    if missing:  # a snapshot from before approval stored cuts
        stored.update(results_service.compute(campaign, cuts=missing).results["cuts"])
    results["cuts"] = stored
    return results


def _visible_codes(user: User) -> set[str] | None:
    allowed = visible_unit_ids(user)
    if allowed is None:
        return None
    return set(db.session.scalars(select(Unit.code).where(Unit.id.in_(allowed))))


def scoped(results: dict[str, Any], user: User) -> dict[str, Any]:
    """``results`` with only the units ``user`` may see (ranks stay district ranks)."""
    codes = _visible_codes(user)
    if codes is None:
        return results
    results = dict(results)
    results.pop("cuts", None)
    results["units"] = [unit for unit in results.get("units") or []
                        if unit.get("unit_code") in codes]
    if isinstance(results.get("by"), dict):
        by = dict(results["by"])
        by["groups"] = [{**group, "units": [unit for unit in group.get("units") or []
                                            if unit.get("unit_code") in codes]}
                        for group in by.get("groups") or []]
        results["by"] = by
    if isinstance(results.get("levels"), list):
        results["levels"] = scoped_levels(results["levels"], codes)
    return results


def scoped_levels(found: list[dict[str, Any]], codes: set[str]) -> list[dict[str, Any]]:
    """The levels a scoped user gets, as on the level pages: the organiser's (the first)
    with only their children, and a level below only when its unit is theirs."""
    return [{**each, "children": [child for child in each.get("children") or []
                                  if child.get("unit_code") in codes]}
            for position, each in enumerate(found)
            if position == 0 or (each.get("root") or {}).get("code") in codes]


def is_scoped(user: User) -> bool:
    """Whether ``user`` sees only some units (unit staff)."""
    return visible_unit_ids(user) is not None


def unit_entry(results: dict[str, Any], code: str) -> dict[str, Any] | None:
    """The unit entry with ``code``, or None."""
    return next((unit for unit in results.get("units") or [] if unit.get("unit_code") == code),
                None)


def group_rows(by: dict[str, Any], code: str) -> list[tuple[dict[str, Any], dict]]:
    """(group, the unit's entry in it) for every group of a cut where the unit has answers."""
    rows = []
    for group in by.get("groups") or []:
        entry = next((u for u in group.get("units") or [] if u.get("unit_code") == code), None)
        if entry is not None:
            rows.append((group, entry))
    return rows


def fold_accents(text: str) -> str:
    """Lower case without diacritics (đ → d), for searching Vietnamese text loosely."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def comments(campaign: Campaign, unit: Unit, query: str = "",
             limit: int = COMMENT_LIMIT) -> tuple[list[Any], int]:
    """Comments of the unit's counted responses matching ``query`` (newest first), and the count.

    Matching ignores case and diacritics ("dat dai" finds "Đất đai"); rows are read in
    batches, at most ``limit`` are kept for display.
    """
    needle = fold_accents(" ".join(query.split()))
    statement = (select(Response.submitted_at, Response.comment, Response.field,
                        Response.channel)
                 .where(Response.campaign_id == campaign.id, Response.unit_id == unit.id,
                        Response.status == ResponseStatus.VALID,
                        Response.comment.is_not(None), Response.comment != "")
                 .order_by(Response.submitted_at.desc(), Response.id.desc())
                 .execution_options(yield_per=500))
    shown, total = [], 0
    for row in _rows(statement):
        if needle and needle not in fold_accents(" ".join(row.comment.split())):
            continue
        total += 1
        if len(shown) < limit:
            shown.append(row)
    return shown, total


def _rows(statement: Any) -> Iterator[Any]:
    yield from db.session.execute(statement)
