"""Comparison with the previous campaign across mergers, renames and splits (METHODOLOGY §4).

A unit of this campaign is compared with the units of the previous campaign it descends from
through the "became" links (``UnitSuccession``, docs/unit-history.md):

* itself, when it took part and nothing merged into it (``same``);
* one predecessor that took part, itself not (``renamed``): "So sánh với Xã A cũ";
* several (predecessors, possibly itself): their **combined** previous figure, pooled over
  their responses exactly as the district total pools units (``merged``): "So sánh với tổng
  của Xã A, Xã B cũ";
* nothing, with the reason, when a unit it descends from also became another unit (a split:
  the old figure covers more than this unit), when nothing it descends from took part, or
  when those units have no valid response in the previous campaign.

The walk goes up the links from the unit, stops at a unit that took part in the previous
campaign, and at most ``MAX_DEPTH`` links far.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
from sqlalchemy import select

import analysis
from questionnaires import Instrument

from ...extensions import db
from ...models import Campaign, Unit, UnitSuccession
from .result_entries import Frames, Previous

#: Links followed up from a unit at most (a chain of reorganisations, never a loop).
MAX_DEPTH = 10

SAME, RENAMED, MERGED = "same", "renamed", "merged"
SPLIT, NEW, ABSENT, NO_VALID, REFUSED = "split", "new", "absent", "no_valid", "refused"


@dataclass(frozen=True)
class Lineage:
    """How one unit maps onto the previous campaign: the units pooled, or why none."""

    kind: str
    sources: tuple[int, ...] = ()
    note: str | None = None

    @property
    def comparable(self) -> bool:
        return self.kind in (SAME, RENAMED, MERGED)

    def entry(self, codes: Mapping[int, str]) -> dict[str, Any]:
        """The unit entry's ``previous_mapping`` (docs/results-json.md)."""
        return {"kind": self.kind, "comparable": self.comparable,
                "units": [codes[unit] for unit in self.sources], "note": self.note}


@dataclass(frozen=True)
class Links:
    """The "became" links: successor → predecessors and predecessor → successors."""

    predecessors: dict[int, list[int]]
    successors: dict[int, list[int]]

    @classmethod
    def of(cls, pairs: Iterable[tuple[int, int]]) -> Links:
        predecessors: dict[int, list[int]] = {}
        successors: dict[int, list[int]] = {}
        for before, after in pairs:
            predecessors.setdefault(after, []).append(before)
            successors.setdefault(before, []).append(after)
        return cls(predecessors, successors)

    @classmethod
    def stored(cls) -> Links:
        rows = db.session.execute(select(UnitSuccession.predecessor_id,
                                         UnitSuccession.successor_id)
                                  .order_by(UnitSuccession.id)).all()
        return cls.of((int(before), int(after)) for before, after in rows)


def _listed(units: Iterable[int], names: Mapping[int, str]) -> str:
    return ", ".join(names[unit] for unit in units)


def map_unit(unit: int, took_part: set[int], current: set[int], links: Links,
             names: Mapping[int, str], previous_code: str) -> Lineage:
    """Which units of the previous campaign ``unit`` is compared with (pure: ids in, ids out).

    ``took_part``: units of the previous campaign (targets or responses); ``current``: this
    campaign's units; ``names``: unit names for the sentences, sorted by the caller's order.
    """
    order = {key: position for position, key in enumerate(names)}
    nodes = {unit}
    sources = [unit] if unit in took_part else []
    frontier = [unit]
    for _ in range(MAX_DEPTH):
        found = []
        for node in frontier:
            for before in links.predecessors.get(node, []):
                if before in nodes:
                    continue
                nodes.add(before)
                (sources if before in took_part else found).append(before)
        frontier = found
        if not frontier:
            break
    ancestors = sorted(nodes - {unit}, key=order.__getitem__)
    for node in ancestors:
        elsewhere = [after for after in links.successors.get(node, []) if after not in nodes]
        if elsewhere or node in current:
            parts = sorted({*elsewhere, *links.successors.get(node, [])} - {node},
                           key=order.__getitem__)
            still = " (đơn vị này vẫn còn trong đợt này)" if node in current else ""
            return Lineage(SPLIT, note=f"Không so sánh được: {names[node]} cũ đã chia tách "
                           f"thành {_listed(parts, names)}{still}; số liệu đợt trước không "
                           "tách riêng được cho đơn vị này.")
    if not sources:
        if not ancestors:
            return Lineage(NEW, note=f"Không so sánh được: đơn vị không có trong đợt trước "
                           f"({previous_code}).")
        return Lineage(ABSENT, note=f"Không so sánh được: không đơn vị tiền thân nào "
                       f"({_listed(ancestors, names)} cũ) có trong đợt trước "
                       f"({previous_code}).")
    sources.sort(key=order.__getitem__)
    missing = [node for node in ancestors if node not in took_part
               and not links.predecessors.get(node)]
    absent = (f" ({_listed(missing, names)} cũ không có trong đợt trước)" if missing else "")
    if sources == [unit]:
        if not missing:
            return Lineage(SAME, (unit,))
        return Lineage(SAME, (unit,), note=f"So sánh với chính đơn vị{absent}.")
    if len(sources) == 1:
        return Lineage(RENAMED, tuple(sources),
                       note=f"So sánh với {names[sources[0]]} cũ{absent}.")
    return Lineage(MERGED, tuple(sources),
                   note=f"So sánh với tổng của {_listed(sources, names)} cũ{absent}.")


def pooled_rows(frames: Frames, lineages: Mapping[int, Lineage], instrument: Instrument
                ) -> pd.DataFrame:
    """The previous figure of every merged unit (its predecessors together), in one pass:
    each is the total over just its predecessors, pooled (or weighted by dossiers) as the
    district total pools all units (``analysis.combined_totals``); rows keyed by the unit."""
    members = {source: unit for unit, lineage in lineages.items()
               for source in lineage.sources}
    if not members or frames.table is None:
        return pd.DataFrame(columns=["unit"])
    weights = None
    if frames.weights is not None:
        weights = pd.DataFrame({"unit": list(members), "weight": [
            float(frames.weights[source]) for source in members]})
    return analysis.combined_totals(frames.passes.counts, frames.table, instrument, members,
                                    method=frames.method, weights=weights)


def across_mergers(campaign: Campaign, current: set[int], previous: Previous | None
                   ) -> Previous | None:
    """``previous`` with one row set per unit of this campaign, keyed by that unit, as its
    lineage maps it (itself, a renamed unit, the pooled predecessors), and the mappings."""
    before = campaign.previous_campaign
    if previous is None or before is None or previous.frames.table is None:
        return previous
    frames = previous.frames
    took_part = {target.unit_id for target in before.targets} | frames.unit_ids()
    links = Links.stored()
    units = db.session.scalars(select(Unit).order_by(Unit.code)).all()
    names = {unit.id: unit.name for unit in units}
    codes = {unit.id: unit.code for unit in units}
    lineages = {unit: map_unit(unit, took_part, current, links, names, before.code)
                for unit in sorted(current, key=lambda key: codes[key])}
    for unit, lineage in lineages.items():
        without_n = [source for source in lineage.sources if frames.weights is not None
                     and lineage.kind == MERGED and frames.weights.get(source) is None]
        if without_n:
            lineages[unit] = Lineage(REFUSED, lineage.sources, note=(
                "Không so sánh được: chưa nhập số hồ sơ N của "
                f"{_listed(without_n, names)} cũ trong đợt trước ({before.code})."))
    merged = pooled_rows(frames, {unit: lineage for unit, lineage in lineages.items()
                                  if lineage.kind == MERGED}, previous.instrument)
    district = frames.district_rows()
    parts = [district] if district is not None else []
    mappings: dict[int, dict[str, Any]] = {}
    for unit, lineage in lineages.items():
        rows = None
        if lineage.kind in (SAME, RENAMED):
            rows = frames.rows_of_unit(lineage.sources[0])
        elif lineage.kind == MERGED:
            rows = merged.loc[merged["unit"] == unit]
        if lineage.comparable and (rows is None or not _has_valid(rows)):
            rows = None
            lineage = Lineage(NO_VALID, lineage.sources, note="Không so sánh được: đợt trước "
                              f"không có phiếu hợp lệ nào của {_listed(lineage.sources, names)}"
                              f"{' cũ' if lineage.sources != (unit,) else ''}.")
        if rows is not None:
            parts.append(rows.assign(unit=unit))
        mappings[unit] = lineage.entry(codes)
    mapped = pd.concat(parts, ignore_index=True) if parts else frames.table.iloc[0:0]
    return replace(previous, frames=replace(frames, table=mapped), mappings=mappings)


def _has_valid(rows: pd.DataFrame) -> bool:
    overall = rows.loc[rows["target"] == "overall", "n_valid"]
    return bool(len(overall)) and int(overall.iloc[0]) > 0
