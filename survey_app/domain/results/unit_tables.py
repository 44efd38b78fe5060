"""The counting tables of a campaign assembled from per-unit parts, each kept in the cache
under that unit's own revision.

Every table the analysis reads — pass 1 counts, respondents, pass 2 moments (METHODOLOGY
§4: the weights of a group come from that group's own counts, and every cut groups by the
unit too), the status counts — is a union of per-unit tables: a unit's rows depend only on
its own responses. So each unit's tables of one section (``unit``: the units and district;
a cut's name: that cut × unit; ``invalid``: pass 1 counting invalid responses too, for the
validity rule) are stored as one ``result_cache`` part, ``unit:<id>:<section>``, with a
fingerprint of the code, the campaign's instrument version and **that unit's** revision
counter (migration 0008). After a new response in unit A only A's tables are counted again
in the database (through ``ix_response_campaign_status_unit``, in time proportional to A's
responses); the other units' are read back. The campaign's tables are their concatenation in
unit order, whether the parts came from the cache or not, so a view after a change gives the
same numbers as a recomputation from scratch (tests/results/test_result_cache.py).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select

import analysis

from ...models import Campaign, ResultRevision
from . import counting, result_cache
from .cuts import GROUPINGS

#: The section of the units themselves and that of the validity rule (§3).
UNITS = "unit"
INVALID = "invalid"

COUNT_COLUMNS = ("item", "value", "count")
RESPONDENT_COLUMNS = ("n_respondents",)
MOMENT_COLUMNS = ("target", "sum_z2", "sum_z4", "n_respondents")
STATUS_COLUMNS = ("status", "n")


def unit_part(unit_id: int, section: str) -> str:
    return f"unit:{unit_id}:{section}"


def section_of(by: Sequence[str]) -> str:
    """``["unit"]`` → ``unit``; ``[cut, "unit"]`` → the cut's name."""
    by = list(by)
    if by == ["unit"]:
        return UNITS
    if len(by) == 2 and by[1] == "unit" and by[0] in GROUPINGS:
        return by[0]
    raise ValueError(f"no per-unit section for the cut {by}")


def _by(section: str) -> list[str]:
    return ["unit"] if section in (UNITS, INVALID) else [section, "unit"]


@dataclass(frozen=True)
class Tables:
    """A campaign's tables of one section, every unit included."""

    passes: counting.Passes
    statuses: pd.DataFrame
    #: Units whose part was counted in the database by this call (the others were reused).
    counted: tuple[int, ...] = ()


def revisions(connection: Connection, campaign_id: int) -> dict[int, int]:
    """unit → revision counter of the campaign's responses there, in ``connection``'s
    snapshot. A unit without a counter never had a response in the campaign."""
    query = (select(ResultRevision.unit_id, ResultRevision.revision)
             .where(ResultRevision.campaign_id == campaign_id)
             .order_by(ResultRevision.unit_id))
    return {int(unit): int(revision) for unit, revision in connection.execute(query)}


def _key(campaign: Campaign, section: str, unit_id: int, revision: int) -> str:
    version = result_cache._columns(campaign.instrument_version)
    content = json.dumps([result_cache.code_digest(), campaign.id, section, unit_id, revision,
                          version], default=str, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(content.encode()).hexdigest()


def _columns(frame: pd.DataFrame, names: Sequence[str]) -> dict[str, list[Any]]:
    """A frame as plain JSON columns (Python ints, floats and strings)."""
    return {name: [_plain(value) for value in frame[name].tolist()] for name in names}


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return str(value)
    if isinstance(value, float):
        return value
    return int(value)


def _moment_value(name: str, value: Any) -> Any:
    return float(value) if name in ("sum_z2", "sum_z4") else _plain(value)


def count_unit(connection: Connection, campaign: Campaign, instrument: Any, section: str,
               unit_id: int) -> dict[str, dict[str, list[Any]]]:
    """One unit's tables of ``section``, counted in the database."""
    by = _by(section)
    if section == INVALID:
        items = analysis.structure_of(instrument).items
        counts = counting.count_table(connection, campaign.id, items, by,
                                      counting.WITH_INVALID, unit_id=unit_id)
        return {"counts": _columns(counts, [*by, *COUNT_COLUMNS])}
    passes = counting.run_passes(connection, campaign.id, instrument, by, unit_id=unit_id)
    statuses = counting.status_counts(connection, campaign.id, by, unit_id=unit_id)
    moments = passes.moments
    return {
        "counts": _columns(passes.counts, [*by, *COUNT_COLUMNS]),
        "respondents": _columns(passes.respondents, [*by, *RESPONDENT_COLUMNS]),
        "moments": {name: [_moment_value(name, value) for value in moments[name].tolist()]
                    for name in [*by, *MOMENT_COLUMNS]},
        "statuses": _columns(statuses, [*by, *STATUS_COLUMNS]),
    }


def unit_parts(connection: Connection, campaign: Campaign, instrument: Any, section: str,
               reuse: bool = True) -> tuple[list[dict[str, Any]], tuple[int, ...]]:
    """Every unit's tables of ``section`` in unit order, reused from the cache where that
    unit's revision is the one they were counted for; and the units counted now."""
    current = revisions(connection, campaign.id)
    keys = {unit_part(unit, section): _key(campaign, section, unit, revision)
            for unit, revision in current.items()}
    found = result_cache.load_keyed(connection, campaign.id, keys) if reuse else {}
    fresh: dict[str, tuple[str, Any, float]] = {}
    counted = []
    for unit in current:
        part = unit_part(unit, section)
        if part not in found:
            started = time.perf_counter()
            value = count_unit(connection, campaign, instrument, section, unit)
            fresh[part] = (keys[part], value, time.perf_counter() - started)
            counted.append(unit)
    found.update(result_cache.store_keyed(campaign.id, fresh))
    return [found[unit_part(unit, section)] for unit in current], tuple(counted)


def _joined(parts: list[dict[str, Any]], table: str, names: Sequence[str]
            ) -> dict[str, list[Any]]:
    columns: dict[str, list[Any]] = {name: [] for name in names}
    for part in parts:
        for name in names:
            columns[name] += part[table][name]
    return columns


def _frame(columns: dict[str, list[Any]], by: Sequence[str], integers: Sequence[str] = (),
           floats: Sequence[str] = ()) -> pd.DataFrame:
    """The concatenated columns as the counting functions shape their frames."""
    names = list(columns)
    if not next(iter(columns.values()), []):
        return pd.DataFrame(columns=names, dtype=object)
    frame = pd.DataFrame({name: pd.Series(values, dtype=object) for name, values
                          in columns.items()}, columns=names)
    types = dict.fromkeys(integers, "int64") | dict.fromkeys(floats, "float64")
    frame = frame.astype(types) if types else frame
    for name in names:
        if name not in by and name not in types:
            frame[name] = frame[name].astype(object)
    return frame


def campaign_tables(connection: Connection, campaign: Campaign, instrument: Any,
                    by: Sequence[str], reuse: bool = True) -> Tables:
    """The campaign's passes and status counts of the cut ``by`` (docs/analysis.md)."""
    by = list(by)
    section = section_of(by)
    parts, counted = unit_parts(connection, campaign, instrument, section, reuse)
    counts = _frame(_joined(parts, "counts", [*by, *COUNT_COLUMNS]), by,
                    integers=("value", "count"))
    if not len(counts):
        counts = counts.astype({"value": "int64", "count": "int64"})
    respondents = _frame(_joined(parts, "respondents", [*by, *RESPONDENT_COLUMNS]), by,
                         integers=RESPONDENT_COLUMNS)
    moments = _frame(_joined(parts, "moments", [*by, *MOMENT_COLUMNS]), by,
                     integers=("n_respondents",), floats=("sum_z2", "sum_z4"))
    statuses = _frame(_joined(parts, "statuses", [*by, *STATUS_COLUMNS]), by, integers=("n",))
    # Pass 2's weights served their purpose in the unit's own count; nothing reads them later.
    weights = pd.DataFrame(columns=[*by, "target", "item", "c", "p"])
    passes = counting.Passes(counts=counts, respondents=respondents, moments=moments,
                             weights=weights)
    return Tables(passes=passes, statuses=statuses, counted=counted)


def campaign_counts_with_invalid(connection: Connection, campaign: Campaign, instrument: Any,
                                 reuse: bool = True) -> pd.DataFrame:
    """Pass 1 per unit counting invalid responses' rated items too (§3, validity rule)."""
    parts, _ = unit_parts(connection, campaign, instrument, INVALID, reuse)
    counts = _frame(_joined(parts, "counts", ["unit", *COUNT_COLUMNS]), ["unit"],
                    integers=("value", "count"))
    if not len(counts):
        counts = counts.astype({"value": "int64", "count": "int64"})
    return counts
