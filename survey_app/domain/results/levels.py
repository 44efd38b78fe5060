"""A campaign's results one level of the unit tree at a time (docs/results-json.md, levels).

At a level's unit (the organiser, or one of the units below it): its summary over every
covered unit of its subtree, then its direct children ranked. A child that is itself a
covered unit with nothing covered below it is that unit (its own rows, as on the unit
list); a child whose subtree holds several covered units (a commune with its divisions) is
their aggregate, computed as the district row is, over that subtree
(``analysis.compute_results(..., district_within=["child"])``: one total per child in one
call). The children are then ranked, compared with the level's total (Holm) and checked
against their sample with the entry building of the unit list (``unit_entries``): nothing
here is new statistics. An aggregate's sample target is the sum of its units' (the dossiers
N summed when every unit has N, the fixed targets summed when every unit has one).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select

import analysis

from ...extensions import db
from ...models import Campaign, Unit
from ...unit_tree import path_of
from ..campaigns.instruments import instrument_of
from . import result_cache, unit_tables
from .counting import Passes
from .level_names import level_word, total_name
from .result_entries import (
    DISTRICT,
    Frames,
    _weights_frame,
    district_entry,
    unit_entries,
)
from .results import read_snapshot, scoring_rules_of

CHILD = "child"


@dataclass(frozen=True)
class Covered:
    """The campaign's covered units (targets and units with responses) and its tables."""

    units: dict[int, Unit]
    passes: Passes
    statuses: pd.DataFrame


def covered(campaign: Campaign, instrument: Any, connection: Connection | None = None,
            reuse: bool = True) -> Covered:
    """The campaign's units and per-unit tables (cached per unit), read on ``connection``
    (a computation's snapshot), else from a snapshot of their own."""
    if connection is None:
        with result_cache.held(), read_snapshot() as own:
            return covered(campaign, instrument, own, reuse)
    tables = unit_tables.campaign_tables(connection, campaign, instrument, ["unit"], reuse)
    ids = {target.unit_id for target in campaign.targets}
    ids |= {int(unit) for unit in tables.statuses["unit"].dropna().unique()}
    rows = db.session.scalars(select(Unit).where(Unit.id.in_(ids))).all() if ids else []
    return Covered({unit.id: unit for unit in rows}, tables.passes, tables.statuses)


def child_map(root: Unit, units: dict[int, Unit]) -> dict[int, int]:
    """Covered unit id → the child of ``root`` it lies under (``root`` itself for root)."""
    mapping = {}
    for unit_id, unit in units.items():
        path = [step.id for step in path_of(unit)]
        if root.id not in path:
            continue
        below = path[path.index(root.id) + 1:]
        mapping[unit_id] = below[0] if below else root.id
    return mapping


def _keep(frame: pd.DataFrame, mapping: dict[int, int]) -> pd.DataFrame:
    """The rows of the mapped units, with their child as a column in front."""
    kept = frame.loc[frame["unit"].isin(list(mapping))].reset_index(drop=True)
    return kept.assign(**{CHILD: [mapping[int(unit)] for unit in kept["unit"]]})


def _targets(campaign: Campaign, mapping: dict[int, int]) -> dict[int, Any]:
    """Each child's sample target: a lone unit's own, an aggregate's summed (module doc)."""
    own = {target.unit_id: target for target in campaign.targets}
    members: dict[int, list[int]] = {}
    for unit_id, child in mapping.items():
        members.setdefault(child, []).append(unit_id)
    targets = {}
    for child, ids in members.items():
        if ids == [child]:
            targets[child] = own.get(child) or SimpleNamespace(transactions_n=None,
                                                               fixed_target=None)
            continue
        found = [own.get(unit_id) for unit_id in ids]
        dossiers = [getattr(t, "transactions_n", None) for t in found]
        fixed = [getattr(t, "fixed_target", None) for t in found]
        targets[child] = SimpleNamespace(
            transactions_n=None if None in dossiers else sum(dossiers),
            fixed_target=None if None in fixed else sum(fixed))
    return targets


def level(campaign: Campaign, root: Unit, data: Covered | None = None) -> dict[str, Any]:
    """``root``'s summary and its children ranked (module doc), JSON-ready."""
    instrument = instrument_of(campaign.instrument_version)
    rules = scoring_rules_of(campaign)
    data = data or covered(campaign, instrument)
    mapping = child_map(root, data.units)
    passes = data.passes
    sub = replace(passes, counts=_keep(passes.counts, mapping).drop(columns=CHILD),
                  respondents=_keep(passes.respondents, mapping).drop(columns=CHILD),
                  moments=_keep(passes.moments, mapping).drop(columns=CHILD))
    statuses = _keep(data.statuses, mapping)
    weights = None
    if campaign.weighting == "dossier":
        weights = {target.unit_id: target.transactions_n for target in campaign.targets}
    total = Frames.build(sub, statuses.drop(columns=CHILD), instrument,
                         campaign.headline_method, ["unit"], weights)
    members: dict[int, list[int]] = {}
    for unit_id, child in mapping.items():
        members.setdefault(child, []).append(unit_id)
    groups = {child for child, ids in members.items() if ids != [child]}
    table = _child_table(total, passes, mapping, groups, instrument, campaign, weights)
    child_weights = None
    if weights is not None:
        child_weights = {child: _sum_or_none([weights.get(u) for u in ids])
                         for child, ids in members.items()}
    respondents = (_keep(passes.respondents, mapping).groupby(CHILD, as_index=False)
                   ["n_respondents"].sum().rename(columns={CHILD: "unit"}))
    child_statuses = (statuses.groupby([CHILD, "status"], as_index=False)["n"].sum()
                      .rename(columns={CHILD: "unit"}))
    frames = Frames(passes=replace(passes, respondents=respondents), statuses=child_statuses,
                    table=table, by=["unit"], method=campaign.headline_method,
                    weights=child_weights, district_refused=total.district_refused)
    children = {child: db.session.get(Unit, child) for child in members}
    entries = unit_entries(frames, children, instrument, campaign, rules, None,
                           targets=_targets(campaign, mapping))
    for entry in entries:
        child = next(c for c, unit in children.items() if unit.code == entry["unit_code"])
        entry["n_units"] = len(members[child])
        entry["has_levels"] = child in groups
        entry["unit_kind"] = children[child].kind.value
    organiser = campaign.organiser
    summary = district_entry(total, instrument, None)
    is_top = organiser is None or root.id == organiser.id
    summary["unit_code"] = root.code
    summary["unit_name"] = total_name(level_word(root)) if is_top else root.name
    return {"root": {"code": root.code, "name": root.name, "kind": root.kind.value},
            "path": _path(root, organiser), "summary": summary, "children": entries}


def _sum_or_none(values: list[Any]) -> float | None:
    return None if not values or None in values else float(sum(values))


def _path(root: Unit, organiser: Unit | None) -> list[dict[str, str]]:
    """The levels from the organiser down to ``root`` (included), for the breadcrumb."""
    chain = path_of(root)
    ids = [unit.id for unit in chain]
    if organiser is not None and organiser.id in ids:
        chain = chain[ids.index(organiser.id):]
    return [{"code": unit.code, "name": unit.name} for unit in chain]


def _child_table(total: Frames, passes: Passes, mapping: dict[int, int], groups: set[int],
                 instrument: Any, campaign: Campaign, weights: dict[int, Any] | None
                 ) -> pd.DataFrame | None:
    """Result rows keyed by child: a lone unit's own rows, an aggregate's total rows, and
    the level's total (the district rows of ``total``)."""
    if total.table is None:
        return None
    table = total.table
    lone = [child for child in set(mapping.values()) if child not in groups]
    parts = [table.loc[table["unit"].isin([*lone, DISTRICT])]]
    grouped = {unit for unit, child in mapping.items() if child in groups}
    if grouped:
        by = [CHILD, "unit"]
        counts = _keep(passes.counts, {u: mapping[u] for u in grouped})
        respondents = _keep(passes.respondents, {u: mapping[u] for u in grouped})
        moments = _keep(passes.moments, {u: mapping[u] for u in grouped})
        frame, refused = _weights_frame(respondents, by, weights, {})
        if refused is None and len(respondents) and len(counts):
            within = analysis.compute_results(counts, respondents, moments, instrument,
                                              method=campaign.headline_method, by=by,
                                              weights=frame, district_within=[CHILD])
            rows = within.loc[(within["unit"] == DISTRICT) & (within[CHILD] != DISTRICT)]
            parts.append(rows.drop(columns="unit").rename(columns={CHILD: "unit"}))
    return pd.concat(parts, ignore_index=True)


def tree(campaign: Campaign, data: Covered) -> list[dict[str, Any]]:
    """Every level of the campaign with a drill-down, from ``data``: the organiser's, then
    (depth first, in the order of the children) each child's that has covered units below
    it. Empty when every covered unit is the organiser's direct child (its level is the unit
    list and district) or the campaign has no organiser."""
    organiser = campaign.organiser
    if organiser is None:
        return []
    top = level(campaign, organiser, data)
    if not any(child["has_levels"] for child in top["children"]):
        return []
    found: list[dict[str, Any]] = []
    waiting = [top]
    while waiting:
        current = waiting.pop(0)
        found.append(current)
        below = [db.session.scalar(select(Unit).where(Unit.code == child["unit_code"]))
                 for child in current["children"] if child["has_levels"]]
        waiting[:0] = [level(campaign, unit, data) for unit in below]
    return found


def campaign_levels(connection: Connection, campaign: Campaign, instrument: Any,
                    reuse: bool = True) -> list[dict[str, Any]]:
    """``tree`` from the tables seen on ``connection`` (the results' ``levels`` part)."""
    if campaign.organiser is None:
        return []
    return tree(campaign, covered(campaign, instrument, connection, reuse))


def level_of(results: dict[str, Any], campaign: Campaign, root: Unit) -> dict[str, Any]:
    """``root``'s level: from the results' ``levels`` part when it is one of the levels with
    a drill-down (cached; frozen with an approved campaign's snapshot), else computed."""
    found = next((each for each in results.get("levels") or []
                  if each["root"]["code"] == root.code), None)
    return found if found is not None else level(campaign, root)


def scoped(found: dict[str, Any], visible: set[int] | None) -> dict[str, Any]:
    """``found`` with only the children a scoped user may see (ranks stay the level's)."""
    if visible is None:
        return found
    codes = set(db.session.scalars(select(Unit.code).where(Unit.id.in_(visible))))
    return {**found, "children": [entry for entry in found["children"]
                                  if entry["unit_code"] in codes]}
