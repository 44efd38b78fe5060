"""A campaign's results as one JSON-ready dict (docs/results-json.md): count, analyse, assemble."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select

import analysis
from questionnaires import (
    SCORING_DIR,
    DefinitionError,
    Instrument,
    ScoringRules,
    load_scoring_rules,
)

from ...errors import DomainError
from ...extensions import db
from ...models import (
    Campaign,
    Channel,
    Counter,
    InstrumentVersion,
    Response,
    ResponseStatus,
    Unit,
    utcnow,
)
from ..campaigns.instruments import instrument_of
from . import counting, lineage, result_cache, unit_tables
from .cuts import CUTS, cut_named
from .level_names import name_totals, organiser_entry
from .result_entries import Frames, Previous, district_entry, number, unit_entries

NO_ANSWER = "Không trả lời"

__all__ = ["Computed", "compute", "compute_campaign_results", "recount", "results_json"]


@contextmanager
def read_snapshot() -> Iterator[Connection]:
    """One read transaction on its own connection: every pass sees the same responses."""
    connection = db.engine.connect()
    try:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        transaction = connection.begin()
        try:
            yield connection
        finally:
            transaction.rollback()  # read-only; the temporary table goes with it
    finally:
        connection.close()


@dataclass(frozen=True)
class Computed:
    """The results dict plus what approval needs from the same snapshot."""

    results: dict[str, Any]
    fingerprint: str = ""
    n_counted: int = 0
    instrument_versions: dict[str, list[int]] | None = None


def scoring_rules_of(campaign: Campaign) -> ScoringRules:
    """The campaign's PAR scoring file (a bare file name under questionnaires/scoring/)."""
    name = campaign.scoring_file or ""
    path = SCORING_DIR / name
    if Path(name).name != name or not path.is_file():
        raise DomainError(f"Không tìm thấy tệp quy đổi điểm “{name}” của đợt "
                          f"“{campaign.code}”.")
    try:
        return load_scoring_rules(path)
    except DefinitionError as error:
        raise DomainError(f"Tệp quy đổi điểm “{name}” không hợp lệ: {error}") from error


def results_json(results: dict[str, Any]) -> bytes:
    """The documented JSON (docs/results-json.md), UTF-8, undefined values as null: what
    ``compute-index --format json`` writes and ``GET /api/v1/campaigns/{code}/results`` sends."""
    return json.dumps(results, ensure_ascii=False, indent=2, allow_nan=False).encode("utf-8")


def compute_campaign_results(campaign: Campaign, by: str | None = None,
                             levels: bool = False) -> dict[str, Any]:
    """Every index of the campaign's units and the district, ready for JSON (unrounded);
    with ``levels``, also every level of the unit tree with a drill-down (the workbook)."""
    return compute(campaign, by, levels=levels).results


def compute(campaign: Campaign, by: str | None = None, fingerprint: bool = False,
            cuts: Sequence[str] = (), *, levels: bool = False, cached: bool = True
            ) -> Computed:
    """Results from one snapshot; optionally the fingerprint, several cuts (``cuts``) and
    the levels of the unit tree (``levels``: ``results["levels"]``).

    Each part (the units and district, each cut, the levels, the approval fingerprint)
    comes from the cache while the campaign's data, settings and code are those it was
    computed from (``result_cache``), else it is computed from the data and stored.
    ``cached=False`` recomputes every part from scratch (and stores it): ``flask recount``,
    the tests.
    """
    for name in [by, *cuts]:
        if name is not None:
            cut_named(name)
    instrument = instrument_of(campaign.instrument_version)
    rules = scoring_rules_of(campaign)
    sections = list(dict.fromkeys([*cuts, *([by] if by else [])]))
    parts = [result_cache.BASE, *map(result_cache.cut_part, sections),
             *([result_cache.LEVELS] if levels else []),
             *([result_cache.EXTRAS] if fingerprint else [])]
    fresh: dict[str, tuple[Any, float]] = {}
    with result_cache.held(), read_snapshot() as connection:
        key = result_cache.fingerprint(connection, campaign)
        found = result_cache.load(connection, campaign.id, parts, key) if cached else {}
        for part in parts:
            if part not in found:
                started = time.perf_counter()
                value = _compute_part(connection, campaign, instrument, rules, part,
                                      reuse=cached)
                fresh[part] = (value, time.perf_counter() - started)
    found.update(result_cache.store(campaign.id, key, fresh))
    # The header holds no counted number: made anew each time, from the campaign as it is
    # now (its state, name, dates), in front of the computed part (which sets computed_at).
    results = _header(campaign, instrument, rules)
    results.update(found[result_cache.BASE])
    if by is not None:
        results["by"] = found[result_cache.cut_part(by)]
    if cuts:
        results["cuts"] = {name: found[result_cache.cut_part(name)] for name in cuts}
    if levels:
        results["levels"] = found[result_cache.LEVELS]["levels"]
    name_totals(results)
    return Computed(results=results, **found.get(result_cache.EXTRAS, {}))


@dataclass(frozen=True)
class Recount:
    """What ``recount`` did: parts computed, and those the cache held differently."""

    parts: int
    differed: list[str]


def without_time(part: Any) -> Any:
    """A part as compared between computations: everything but when it was computed."""
    if isinstance(part, dict) and "computed_at" in part:
        return {key: value for key, value in part.items() if key != "computed_at"}
    return part


def recount(campaign: Campaign, progress: Callable[[str, float], None] | None = None
            ) -> Recount:
    """Every part of the campaign's results from scratch, stored in the cache.

    A part the cache held for the same fingerprint and that differs from the recomputation
    is named in ``differed`` (it should never happen: the cache would have been wrong).
    """
    instrument = instrument_of(campaign.instrument_version)
    rules = scoring_rules_of(campaign)
    parts = [result_cache.BASE, *map(result_cache.cut_part, CUTS), result_cache.LEVELS,
             result_cache.EXTRAS]
    fresh: dict[str, tuple[Any, float]] = {}
    with result_cache.held(), read_snapshot() as connection:
        key = result_cache.fingerprint(connection, campaign)
        held = result_cache.load(connection, campaign.id, parts, key)
        for part in parts:
            started = time.perf_counter()
            value = _compute_part(connection, campaign, instrument, rules, part,
                                  reuse=False)
            fresh[part] = (value, time.perf_counter() - started)
            if progress is not None:
                progress(part, fresh[part][1])
    stored = result_cache.store(campaign.id, key, fresh)
    differed = [part for part in parts if part in held
                and without_time(held[part]) != without_time(stored[part])]
    return Recount(parts=len(parts), differed=differed)


def _compute_part(connection: Connection, campaign: Campaign, instrument: Instrument,
                  rules: ScoringRules, part: str, reuse: bool = True) -> dict[str, Any]:
    """One part of the results, from the data seen on ``connection``: the units' counting
    tables reused from the cache where a unit's responses did not change (``reuse``), or
    every unit counted again (``unit_tables``)."""
    if part == result_cache.EXTRAS:
        digest, n_counted = response_fingerprint(connection, campaign.id)
        return {"fingerprint": digest, "n_counted": n_counted,
                "instrument_versions": counted_versions(connection, campaign.id)}
    if part == result_cache.LEVELS:
        from . import levels  # it reads this module's helpers

        return {"levels": levels.campaign_levels(connection, campaign, instrument, reuse)}
    if part != result_cache.BASE:
        name = part.removeprefix(result_cache.cut_part(""))
        grouped = _frames(connection, campaign, instrument, [name, "unit"], reuse=reuse,
                          analyse=False)
        return _by_section(grouped, name, _units(campaign, grouped), instrument, campaign)
    names = {target.unit_id: target.unit.name for target in campaign.targets}
    frames = _frames(connection, campaign, instrument, ["unit"], names=names, reuse=reuse)
    previous, comparison = _previous_frames(connection, campaign, instrument, reuse)
    with_invalid = _with_invalid(connection, campaign, instrument, frames, reuse)
    units = _units(campaign, frames)
    previous = lineage.across_mergers(campaign, set(units), previous)
    results: dict[str, Any] = {"computed_at": utcnow().isoformat(timespec="seconds")}
    results["previous"] = comparison
    results["units"] = unit_entries(frames, units, instrument, campaign, rules, previous,
                                    with_invalid=with_invalid)
    results["district"] = district_entry(frames, instrument, previous, with_invalid)
    results["excluded"] = _excluded(frames.statuses)
    results["units_differ"] = _units_differ(frames, campaign)
    return results


def _frames(connection: Connection, campaign: Campaign, instrument: Instrument,
            by: list[str], method: str | None = None, weighting: str | None = None,
            names: dict[int, str] | None = None, reuse: bool = True, analyse: bool = True
            ) -> Frames:
    """One cut of ``campaign``'s responses with a headline ``method`` and ``weighting``.

    Both default to the campaign's own settings; the previous campaign is recomputed with
    the current campaign's (METHODOLOGY §4, year-over-year change). Dossier weighting uses
    the dossier counts N the campaign holds for its units.
    """
    tables = unit_tables.campaign_tables(connection, campaign, instrument, by, reuse)
    weights = None
    if (weighting or campaign.weighting) == "dossier":
        weights = {target.unit_id: target.transactions_n for target in campaign.targets}
    return Frames.build(tables.passes, tables.statuses, instrument,
                        method or campaign.headline_method, by, weights, names, analyse)


def _with_invalid(connection: Connection, campaign: Campaign, instrument: Instrument,
                  frames: Frames, reuse: bool = True) -> pd.DataFrame | None:
    """Headline per unit and district counting invalid responses' rated items too (§3)."""
    counts = unit_tables.campaign_counts_with_invalid(connection, campaign, instrument, reuse)
    if not len(counts):
        return None
    weights = None
    if frames.weights is not None:
        units = counts["unit"].drop_duplicates()
        weights = pd.DataFrame({"unit": units, "weight": [
            frames.weights.get(int(unit)) or 0 for unit in units]})
    table = analysis.headline_indices(counts, instrument, method=campaign.headline_method,
                                      by="unit", district=frames.district_refused is None,
                                      weights=weights)
    return table.assign(target="overall")[["unit", "target", "index"]]


def _previous_frames(connection: Connection, campaign: Campaign, instrument: Instrument,
                     reuse: bool = True) -> tuple[Previous | None, dict[str, Any] | None]:
    """The previous campaign recomputed with this campaign's headline method (§4), or why not."""
    previous = campaign.previous_campaign
    if previous is None:
        return None, None
    previous_instrument = instrument_of(previous.instrument_version)
    comparison = {"campaign": previous.code, "method": campaign.headline_method,
                  "weighting": campaign.weighting, "comparable": False, "reason": None}
    if not analysis.same_instrument(instrument, previous_instrument):
        comparison["reason"] = (f"Đợt trước ({previous.code}) dùng bộ phiếu "
                                f"{previous.instrument_version.label}, khác bộ phiếu của đợt "
                                "này: không so sánh được.")
        return None, comparison
    frames = _frames(connection, previous, previous_instrument, ["unit"],
                     method=campaign.headline_method, weighting=campaign.weighting,
                     reuse=reuse)
    if frames.table is None:
        comparison["reason"] = f"Đợt trước ({previous.code}) chưa có phiếu hợp lệ nào."
        return None, comparison
    comparison["comparable"] = True
    return Previous(frames, previous_instrument), comparison


def response_fingerprint(connection: Connection, campaign_id: int) -> tuple[str, int]:
    """SHA-256 over the sorted (id, submission key, status) of the counted responses."""
    digest = hashlib.sha256()
    count = 0
    query = (select(Response.id, Response.submission_key, Response.status)
             .where(Response.campaign_id == campaign_id,
                    Response.status == ResponseStatus.VALID)
             .order_by(Response.id))
    for row in connection.execution_options(yield_per=5000).execute(query):
        digest.update(f"{row.id}\t{row.submission_key}\t{ResponseStatus(row.status).value}\n"
                      .encode())
        count += 1
    return digest.hexdigest(), count


def counted_versions(connection: Connection, campaign_id: int) -> dict[str, list[int]]:
    """Instrument code → the versions the counted responses were given."""
    query = (select(InstrumentVersion.code, InstrumentVersion.version).distinct()
             .join(Response, Response.instrument_version_id == InstrumentVersion.id)
             .where(Response.campaign_id == campaign_id,
                    Response.status == ResponseStatus.VALID))
    versions: dict[str, list[int]] = {}
    for code, version in connection.execute(query):
        versions.setdefault(code, []).append(int(version))
    return {code: sorted(found) for code, found in sorted(versions.items())}


def _units(campaign: Campaign, frames: Frames) -> dict[int, Unit]:
    """The campaign's units plus any unit that has responses, by id."""
    ids = {target.unit_id for target in campaign.targets} | frames.unit_ids()
    rows = db.session.scalars(select(Unit).where(Unit.id.in_(ids))).all() if ids else []
    return {unit.id: unit for unit in rows}


def _header(campaign: Campaign, instrument: Instrument, rules: ScoringRules) -> dict[str, Any]:
    version = campaign.instrument_version
    previous = campaign.previous_campaign
    return {
        "campaign": {"code": campaign.code, "name": campaign.name,
                     "starts_on": campaign.starts_on.isoformat(),
                     "deadline": campaign.deadline.isoformat(),
                     "state": campaign.state.value},
        "method": campaign.headline_method,
        "weighting": campaign.weighting,
        "min_compare_responses": campaign.min_compare_responses,
        "instrument": {"code": version.code, "version": version.version,
                       "title": version.title},
        "computed_at": utcnow().isoformat(timespec="seconds"),
        "confidence": 0.95,
        "valid_threshold": campaign.valid_threshold,
        "margin_of_error": campaign.margin_of_error,
        "previous_campaign": previous.code if previous is not None else None,
        "organiser": organiser_entry(campaign.organiser),
        "scoring": {"file": campaign.scoring_file, "title": rules.title, "note": rules.note,
                    "rules": [{"code": r.code, "label": r.label, "index": r.index,
                               "max_points": r.max_points, "threshold": r.threshold}
                              for r in rules.rules]},
        "labels": {
            "elements": {e.code: e.title for e in instrument.elements},
            "criteria": {i.code: i.text for i in instrument.rating_items},
            "element_items": {e.code: [i.code for i in e.items] for e in instrument.elements},
        },
    }


def _excluded(statuses: pd.DataFrame) -> dict[str, int]:
    totals = statuses.groupby("status")["n"].sum()
    return {"invalid": int(totals.get(ResponseStatus.INVALID.value, 0)),
            "flagged": int(totals.get(ResponseStatus.FLAGGED.value, 0)),
            "rejected": int(totals.get(ResponseStatus.REJECTED.value, 0))}


def _units_differ(frames: Frames, campaign: Campaign) -> dict[str, Any] | None:
    """Do units differ at all? On the campaign's own headline (§4)."""
    if frames.table is None:
        return None
    target = f"overall:{campaign.headline_method}"
    try:
        test = analysis.units_differ(frames.table, target,
                                     min_respondents=campaign.min_compare_responses).iloc[0]
    except ValueError:
        return None
    return {"target": target, "test": str(test["test"]), "n_groups": int(test["n_groups"]),
            "df": number(test["df"]), "df_denominator": number(test["df_denominator"]),
            "statistic": number(test["statistic"]), "p_value": number(test["p_value"])}


def _group_label(by: str, key: Any, instrument: Instrument) -> str:
    if key is None:
        return NO_ANSWER
    if by == "channel":
        return Channel(key).label
    if by == "counter":
        counter = db.session.get(Counter, int(key))
        return counter.name if counter is not None else f"Quầy {key}"
    try:
        return instrument.profile_question(by).label_for(key)
    except KeyError:
        return str(key)


def _by_section(grouped: Frames, by: str, units: dict[int, Unit], instrument: Instrument,
                campaign: Campaign) -> dict[str, Any]:
    """Per value of the cut: its units and its own total (pooled over its units)."""
    groups = []
    for value, subset in grouped.split(by, instrument):
        key = None if value == counting.null_key(by) else value
        groups.append({
            "key": key,
            "label": _group_label(by, key, instrument),
            "units": unit_entries(subset, units, instrument, campaign, None, None,
                                  only_with_responses=True),
            "district": district_entry(subset, instrument, None),
        })
    return {"dimension": by, "label": CUTS[by].label, "groups": groups}
