"""The unit and district entries of the results dict, built from ``analysis`` result tables."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

import analysis
from questionnaires import Instrument, ScoringRules

from ...models import Campaign, ResponseStatus, Unit
from .counting import Passes, null_key

DISTRICT = analysis.DISTRICT
GROUP = "__group__"


def number(value: Any) -> float | None:
    """A JSON number: NaN / NA / None → None (undefined is never 0)."""
    if value is None or value is pd.NA:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def integer(value: Any) -> int | None:
    number_value = number(value)
    return None if number_value is None else int(number_value)


@dataclass(frozen=True)
class Frames:
    """The database tables of one cut and the analysis result table made from them.

    ``weights`` holds each unit's dossier count N when the campaign weighs units by it;
    ``district_refused`` says why no district figure could be made (a unit without N).
    """

    passes: Passes
    statuses: pd.DataFrame
    table: pd.DataFrame | None
    by: list[str]
    method: str
    weights: dict[int, float] | None = None
    district_refused: str | None = None

    @classmethod
    def build(cls, passes: Passes, statuses: pd.DataFrame, instrument: Instrument,
              method: str, by: list[str], weights: dict[int, float] | None = None,
              names: dict[int, str] | None = None, analyse: bool = True) -> Frames:
        """``analyse=False``: the tables only, without the result table (a cut whose groups
        are each analysed on their own, ``restrict``)."""
        respondents = passes.respondents
        table, refused = None, None
        if analyse and len(respondents) and len(passes.counts):
            frame, refused = _weights_frame(respondents, by, weights, names or {})
            table = analysis.compute_results(passes.counts, respondents, passes.moments,
                                             instrument, method=method, by=by,
                                             district=refused is None, weights=frame)
        return cls(passes=passes, statuses=statuses, table=table, by=by, method=method,
                   weights=weights, district_refused=refused)

    def unit_ids(self) -> set[int]:
        return {int(unit) for unit in self.statuses["unit"].dropna().unique()}

    def keys_of(self, column: str) -> list[Any]:
        """Values of a cut column present in the campaign, sorted, no answer (NULL) last."""
        null = null_key(column)
        values = set(self.statuses[column].tolist())
        known = sorted((value for value in values if value != null), key=str)
        return known + ([null] if null in values else [])

    def restrict(self, column: str, key: Any, instrument: Instrument) -> Frames:
        """The same cut limited to one value of ``column`` (its total becomes the district)."""
        def keep(frame: pd.DataFrame) -> pd.DataFrame:
            # One value left, so a constant stands in for it.
            kept = frame.loc[frame[column] == key].reset_index(drop=True)
            return kept.assign(**{column: GROUP})
        passes = replace(self.passes, counts=keep(self.passes.counts),
                         respondents=keep(self.passes.respondents),
                         moments=keep(self.passes.moments), weights=keep(self.passes.weights))
        return Frames.build(passes, keep(self.statuses), instrument, self.method, self.by,
                            self.weights)

    def split(self, column: str, instrument: Instrument) -> list[tuple[Any, Frames]]:
        """Per value of ``column`` (``keys_of``): the cut limited to it, as ``restrict`` makes
        it, its total being the district; analysed in one call for every value
        (``district_within``) rather than once per value."""
        keys = self.keys_of(column)
        respondents, counts = self.passes.respondents, self.passes.counts
        frame, refused = _weights_frame(respondents, self.by, self.weights, {})
        if refused is not None:  # a unit without N: each value's district decides alone
            return [(key, self.restrict(column, key, instrument)) for key in keys]
        table = None
        if len(respondents) and len(counts):
            table = analysis.compute_results(counts, respondents, self.passes.moments,
                                             instrument, method=self.method, by=self.by,
                                             weights=frame, district_within=[column])
        split = []
        for key in keys:
            def keep(part: pd.DataFrame, key: Any = key) -> pd.DataFrame:
                kept = part.loc[part[column] == key].reset_index(drop=True)
                return kept.assign(**{column: GROUP})
            passes = replace(self.passes, counts=keep(counts), respondents=keep(respondents),
                             moments=keep(self.passes.moments),
                             weights=keep(self.passes.weights))
            own = None
            if table is not None and len(passes.respondents) and len(passes.counts):
                own = keep(table)
                # As in ``restrict``: every group column of the district rows is DISTRICT.
                own.loc[own["unit"] == DISTRICT, column] = DISTRICT
            split.append((key, Frames(passes=passes, statuses=keep(self.statuses), table=own,
                                      by=self.by, method=self.method, weights=self.weights)))
        return split

    def rows_of_unit(self, unit_id: int) -> pd.DataFrame | None:
        if self.table is None:
            return None
        rows = self.table.loc[self.table["unit"] == unit_id]
        return rows if len(rows) else None

    def district_rows(self) -> pd.DataFrame | None:
        if self.table is None:
            return None
        rows = self.table.loc[self.table["unit"] == DISTRICT]
        return rows if len(rows) else None

    def weights_table(self) -> pd.DataFrame | None:
        """``[*by, "weight"]`` for the analysis functions, or None (respondent weighting)."""
        if self.weights is None or self.table is None:
            return None
        return _weights_frame(self.passes.respondents, self.by, self.weights, {})[0]


def _weights_frame(respondents: pd.DataFrame, by: list[str], weights: dict[int, float] | None,
                   names: dict[int, str]) -> tuple[pd.DataFrame | None, str | None]:
    """The groups' dossier weights, or why the district cannot be weighted by them."""
    if weights is None:
        return None, None
    with_answers = respondents.loc[respondents["n_respondents"] > 0]
    missing = sorted({int(unit) for unit in with_answers["unit"]
                      if weights.get(int(unit)) is None})
    if missing:
        listed = ", ".join(names.get(unit, str(unit)) for unit in missing)
        return None, (f"Chưa nhập số hồ sơ N của: {listed}; chỉ số chung tính theo số hồ sơ "
                      "chưa có.")
    frame = respondents[by].drop_duplicates().copy()
    frame["weight"] = [float(weights[int(unit)]) for unit in frame["unit"]]
    return frame, None


def _interval(row: dict[str, Any] | None, elements_total: int | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"index": None, "ci_low": None, "ci_high": None, "n": 0,
                             "n_respondents": 0, "mean": None}
    if row is not None:
        entry = {"index": number(row["index"]), "ci_low": number(row["ci_low"]),
                 "ci_high": number(row["ci_high"]), "n": integer(row["n"]) or 0,
                 "n_respondents": integer(row["n_respondents"]) or 0,
                 "mean": number(row["mean_score"])}
    if elements_total is not None:
        entry["elements_used"] = 0 if row is None else integer(row["n_elements"]) or 0
        entry["elements_total"] = elements_total
    return entry


def indices(rows: pd.DataFrame | None, instrument: Instrument) -> dict[str, Any]:
    """overall, overall_methods, elements and criteria of one group's result rows."""
    by_target = {} if rows is None else {row["target"]: row
                                         for row in rows.to_dict("records")}
    return indices_of(by_target, instrument)


def rows_by_unit(table: pd.DataFrame | None) -> dict[Any, dict[str, dict[str, Any]]]:
    """unit → target → result row (a dict), the whole table converted once: a lookup per
    unit costs no pandas."""
    found: dict[Any, dict[str, dict[str, Any]]] = {}
    if table is None:
        return found
    for row in table.to_dict("records"):
        found.setdefault(row["unit"], {})[row["target"]] = row
    return found


def indices_of(by_target: dict[str, dict[str, Any]], instrument: Instrument) -> dict[str, Any]:
    """:func:`indices` of one group's rows by target."""
    total = len(instrument.elements)
    return {
        "overall": _interval(by_target.get("overall"), total),
        "overall_methods": {method: _interval(by_target.get(f"overall:{method}"), total)
                            for method in analysis.METHODS},
        "elements": {element.code: _interval(by_target.get(f"element:{element.code}"))
                     for element in instrument.elements},
        "criteria": {item.code: _interval(by_target.get(f"criterion:{item.code}"))
                     for item in instrument.rating_items},
    }


def _status_numbers(statuses: pd.DataFrame) -> dict[str, int]:
    totals = statuses.groupby("status")["n"].sum() if len(statuses) else pd.Series(dtype=int)
    return _status_totals(totals)


def _status_totals(totals: Any) -> dict[str, int]:
    """The response numbers of one group from its status → count mapping."""
    valid = int(totals.get(ResponseStatus.VALID.value, 0))
    invalid = int(totals.get(ResponseStatus.INVALID.value, 0))
    flagged = int(totals.get(ResponseStatus.FLAGGED.value, 0))
    rejected = int(totals.get(ResponseStatus.REJECTED.value, 0))
    return {"n_responses": valid + invalid + flagged + rejected, "n_valid": valid,
            "n_excluded": invalid + flagged + rejected, "n_invalid": invalid,
            "n_flagged": flagged, "n_rejected": rejected}


@dataclass(frozen=True)
class Previous:
    """The previous campaign's unit results, computed with this campaign's method.

    ``mappings``: per unit of this campaign, how it maps onto the previous campaign's units
    across mergers (``lineage.across_mergers``); its rows in ``frames.table`` are then
    keyed by this campaign's unit.
    """

    frames: Frames
    instrument: Instrument
    mappings: dict[int, dict[str, Any]] = field(default_factory=dict)


def _change(previous: Previous | None, frames: Frames, instrument: Instrument
            ) -> pd.DataFrame | None:
    if previous is None or frames.table is None or previous.frames.table is None:
        return None
    return analysis.change_from_previous(frames.table, previous.frames.table, instrument,
                                         previous.instrument, by="unit", targets=["overall"])


def _change_entry(change: pd.DataFrame | None, key: Any) -> dict[str, Any] | None:
    if change is None:
        return None
    rows = change.loc[change["unit"] == key]
    if not len(rows):
        return None
    return _change_row(rows.iloc[0])


def _change_row(row: Any) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"index_previous": number(row["index_previous"]), "change": number(row["change"]),
            "ci_low": number(row["ci_low"]), "ci_high": number(row["ci_high"]),
            "changed": bool(row["changed"]), "direction": str(row["direction"])}


def _sample(campaign: Campaign, frames: Frames, unit_ids: list[int],
            targets: dict[int, Any] | None = None) -> pd.DataFrame:
    """Yamane (or the fixed target) against the valid responses of every unit."""
    respondents = frames.passes.respondents.set_index("unit")["n_respondents"]
    if targets is None:
        targets = {target.unit_id: target for target in campaign.targets}
    table = pd.DataFrame({"unit": unit_ids,
                          "n_respondents": [int(respondents.get(u, 0)) for u in unit_ids]})
    dossiers = pd.DataFrame({"unit": unit_ids, "n_dossiers": [
        targets[u].transactions_n if u in targets else None for u in unit_ids]})
    fixed = pd.DataFrame({"unit": unit_ids, "target": [
        targets[u].fixed_target if u in targets else None for u in unit_ids]})
    return analysis.sample_status(table, dossiers, fixed, by="unit",
                                  margin=campaign.margin_of_error).set_index("unit")


def _points(frames: Frames, rules: ScoringRules | None, sample: pd.DataFrame | None
            ) -> pd.DataFrame | None:
    """PAR points of every unit; only units with enough responses are ranked (§6)."""
    if rules is None or frames.table is None or sample is None:
        return None
    ranked = pd.DataFrame({"unit": sample.index,
                           "ranked": sample["sample_ok"].fillna(False).astype(bool).to_numpy()})
    return analysis.par_points(frames.table, rules, by="unit", ranked=ranked)


def _differs(frames: Frames, campaign: Campaign) -> pd.DataFrame | None:
    if frames.district_rows() is None:
        return None
    return analysis.compare_with_district(
        frames.table, by="unit", min_respondents=campaign.min_compare_responses,
        weights=frames.weights_table()).set_index("unit")


def unit_entries(frames: Frames, units: dict[int, Unit], instrument: Instrument,
                 campaign: Campaign, rules: ScoringRules | None, previous: Previous | None,
                 only_with_responses: bool = False,
                 with_invalid: pd.DataFrame | None = None,
                 targets: dict[int, Any] | None = None) -> list[dict[str, Any]]:
    """One entry per unit: ranked units by rank, then the provisional ones by points.

    ``targets``: unit id → its sample target (``transactions_n``, ``fixed_target``) when the
    groups are not the campaign's own units (a level's groups, ``levels``)."""
    ids = frames.unit_ids()
    if not only_with_responses:
        ids |= set(targets) if targets is not None else {
            target.unit_id for target in campaign.targets}
    unit_ids = sorted(ids, key=lambda u: units[u].code)
    sample = _sample(campaign, frames, unit_ids, targets) if rules is not None else None
    points = _points(frames, rules, sample)
    differs = _differs(frames, campaign)
    change = _change(previous, frames, instrument)
    # Each unit's status counts and result rows, looked up once for all units.
    statuses: dict[int, dict[str, int]] = {}
    for unit_id, status, n in frames.statuses[["unit", "status", "n"]].itertuples(
            index=False, name=None):
        own = statuses.setdefault(int(unit_id), {})
        own[status] = own.get(status, 0) + int(n)
    rows = rows_by_unit(frames.table)
    samples = {} if sample is None else sample.to_dict("index")
    points_of = _points_by_unit(points)
    differs_of = {} if differs is None else differs.to_dict("index")
    changes = _changes_by_unit(change)
    invalid_of = _overall_by_unit(with_invalid)
    entries = []
    for unit_id in unit_ids:
        unit = units[unit_id]
        entry: dict[str, Any] = {"unit_code": unit.code, "unit_name": unit.name}
        entry.update(_status_totals(statuses.get(unit_id, {})))
        entry.update(_sample_entry(sample, samples.get(unit_id)))
        entry.update(indices_of(rows.get(unit_id, {}), instrument))
        entry.update(_points_entry(points_of.get(unit_id), rules))
        entry["differs_from_district"] = _differs_entry(differs_of.get(unit_id))
        entry["change"] = _change_row(changes.get(unit_id))
        if previous is not None and previous.mappings:
            entry["previous_mapping"] = previous.mappings.get(unit_id)
        if with_invalid is not None:
            entry["validity"] = _validity(entry, invalid_of.get(unit_id))
        entries.append(entry)
    entries.sort(key=_order)
    return entries


def _order(entry: dict[str, Any]) -> tuple:
    """Ranked units by rank; then units without a rank by points (highest first); code."""
    points = entry.get("points")
    return (entry["rank"] is None, entry["rank"] or 0, points is None, -(points or 0.0),
            entry["unit_code"])


def _sample_entry(sample: pd.DataFrame | None, row: dict[str, Any] | None) -> dict[str, Any]:
    if sample is None or row is None:
        return {"sample_required": None, "sample_ok": None, "sample_status": None,
                "sample_source": None, "n_dossiers": None, "response_rate": None,
                "sample_problem": None, "provisional": None}
    ok = row["sample_ok"]
    sample_ok = None if ok is pd.NA else bool(ok)
    return {"sample_required": integer(row["required"]), "sample_ok": sample_ok,
            "sample_status": str(row["status"]), "sample_source": row["source"] or None,
            "n_dossiers": integer(row["n_dossiers"]),
            "response_rate": number(row["response_rate"]),
            "sample_problem": row["problem"] or None, "provisional": sample_ok is not True}


def _points_by_unit(points: pd.DataFrame | None) -> dict[Any, dict[str, dict[str, Any]]]:
    """unit → rule → its points row, converted once."""
    found: dict[Any, dict[str, dict[str, Any]]] = {}
    if points is not None:
        for row in points.to_dict("records"):
            found.setdefault(row["unit"], {})[row["rule"]] = row
    return found


def _changes_by_unit(change: pd.DataFrame | None) -> dict[Any, dict[str, Any]]:
    """unit → its first change row (as ``_change_entry`` takes it)."""
    found: dict[Any, dict[str, Any]] = {}
    if change is not None:
        for row in change.to_dict("records"):
            found.setdefault(row["unit"], row)
    return found


def _overall_by_unit(with_invalid: pd.DataFrame | None) -> dict[Any, Any]:
    """unit → its headline counting invalid responses too (first row, as ``validity_entry``)."""
    found: dict[Any, Any] = {}
    if with_invalid is not None:
        rows = with_invalid.loc[with_invalid["target"] == "overall", ["unit", "index"]]
        for unit, index in rows.itertuples(index=False, name=None):
            found.setdefault(unit, index)
    return found


def _points_entry(rows: dict[str, dict[str, Any]] | None,
                  rules: ScoringRules | None) -> dict[str, Any]:
    codes = [rule.code for rule in rules.rules] if rules is not None else []
    empty = {"points": None, "points_ci_low": None, "points_ci_high": None,
             "points_display": None, "rank": None,
             "points_by_rule": {code: {"points": None, "points_ci_low": None,
                                       "points_ci_high": None, "rank": None}
                                for code in codes}}
    if not rows:
        return empty

    def part(code: str) -> dict[str, Any]:
        row = rows[code]
        return {"points": number(row["points"]), "points_ci_low": number(row["points_low"]),
                "points_ci_high": number(row["points_high"]), "rank": integer(row["rank"])}

    total = part("total")
    return {"points": total["points"], "points_ci_low": total["points_ci_low"],
            "points_ci_high": total["points_ci_high"],
            "points_display": number(rows["total"]["points_display"]),
            "rank": total["rank"], "points_by_rule": {code: part(code) for code in codes}}


def _differs_entry(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    if number(row["index"]) is None:
        return None
    if not bool(row["eligible"]):
        return {"differs": False, "direction": "", "difference": number(row["difference"]),
                "p_holm": None, "eligible": False, "note": analysis.TOO_FEW_TO_COMPARE}
    return {"differs": bool(row["differs"]), "direction": str(row["direction"]),
            "difference": number(row["difference"]), "p_holm": number(row["p_holm"]),
            "eligible": True, "note": None}


def validity_entry(entry: dict[str, Any], with_invalid: pd.DataFrame, key: Any
                   ) -> dict[str, Any]:
    """How the "half the items" rule moved the headline (METHODOLOGY §3, phiếu hợp lệ)."""
    rows = with_invalid.loc[(with_invalid["unit"] == key)
                            & (with_invalid["target"] == "overall"), "index"]
    return _validity(entry, rows.iloc[0] if len(rows) else None)


def _validity(entry: dict[str, Any], found: Any) -> dict[str, Any]:
    index = number(found)
    own = entry["overall"]["index"]
    return {"n_invalid": entry["n_invalid"], "index_with_invalid": index,
            "difference": None if index is None or own is None else index - own}


def district_entry(frames: Frames, instrument: Instrument, previous: Previous | None,
                   with_invalid: pd.DataFrame | None = None) -> dict[str, Any]:
    """The district (or a cut's total): the same fields as a unit, without points and rank."""
    entry: dict[str, Any] = {"unit_code": None, "unit_name": "Toàn huyện"}
    entry.update(_status_numbers(frames.statuses))
    entry.update(indices(frames.district_rows(), instrument))
    entry["change"] = _change_entry(_change(previous, frames, instrument), DISTRICT)
    if frames.district_refused:
        entry["note"] = frames.district_refused
    if with_invalid is not None:
        entry["validity"] = validity_entry(entry, with_invalid, DISTRICT)
    return entry
