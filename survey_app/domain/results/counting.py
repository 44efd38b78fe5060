"""Counting in the database: one aggregation per cut, the tables ``analysis`` expects.

Every function takes a SQLAlchemy ``Connection`` so that all the passes of one computation
read the same snapshot (see ``results.read_snapshot``). Nothing here loads response rows
into Python: each query returns groups × items (× values) rows at most.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Float,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    case,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.sql.elements import ColumnElement

import analysis
from analysis import Structure, structure_of

from ...models import Answer, Response, ResponseStatus
from .cuts import GROUPINGS

RATING_VALUES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Passes:
    """The three database tables of one cut, as pandas DataFrames (docs/analysis.md)."""

    counts: pd.DataFrame
    respondents: pd.DataFrame
    moments: pd.DataFrame
    weights: pd.DataFrame


def cut_columns(by: Sequence[str]) -> list[tuple[str, Any]]:
    """The response columns of a cut, labelled with the cut names."""
    unknown = [name for name in by if name not in GROUPINGS]
    if unknown:
        raise ValueError(f"unknown cut(s) {unknown}; known: {sorted(GROUPINGS)}")
    return [(name, GROUPINGS[name].column) for name in by]


#: The responses that count (METHODOLOGY §3): valid; flagged and invalid ones are left out.
COUNTED = (ResponseStatus.VALID,)
#: The validity-rule sensitivity counts invalid responses' rated items too (never flagged).
WITH_INVALID = (ResponseStatus.VALID, ResponseStatus.INVALID)


def _counted(campaign_id: int, statuses: Sequence[ResponseStatus] = COUNTED,
             unit_id: int | None = None) -> list[ColumnElement[bool]]:
    """This campaign's responses with one of ``statuses`` (valid only, by default), all
    its units' or only ``unit_id``'s."""
    own = [] if unit_id is None else [Response.unit_id == unit_id]
    if len(statuses) == 1:
        return [Response.campaign_id == campaign_id, Response.status == statuses[0], *own]
    return [Response.campaign_id == campaign_id, Response.status.in_(statuses), *own]


def _frame(rows: Sequence[Any], columns: list[str]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame(columns=columns, dtype=object)
    data = list(zip(*rows, strict=True))
    frame = pd.DataFrame(dict(zip(columns, data, strict=True)), columns=columns)
    for name, values in zip(columns, data, strict=True):
        if name in GROUPINGS:
            # Group keys as plain Python values (read from the rows, before pandas turns
            # NULL into NaN); NULL — a group of its own — as a sentinel, since pandas turns
            # an all-None key column into floats.
            null = null_key(name)
            frame[name] = pd.Series([null if value is None else _plain(value)
                                     for value in values], dtype=object, index=frame.index)
    return frame


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return str(value)  # StrEnum members as their stored value
    return int(value)


def null_key(name: str) -> Any:
    """The value standing for NULL in a cut column, in pandas and in the weights table."""
    return -1 if GROUPINGS[name].integer_keys else "~"


def status_counts(connection: Connection, campaign_id: int,
                  by: Sequence[str] = ("unit",), unit_id: int | None = None) -> pd.DataFrame:
    """Responses of the campaign (or of one unit) per group and status:
    ``[*by, "status", "n"]``."""
    columns = cut_columns(by)
    own = [] if unit_id is None else [Response.unit_id == unit_id]
    query = (select(*(column.label(name) for name, column in columns),
                    Response.status.label("status"), func.count().label("n"))
             .where(Response.campaign_id == campaign_id, *own)
             .group_by(*(column for _, column in columns), Response.status))
    frame = _frame(connection.execute(query).all(), [*by, "status", "n"])
    frame["status"] = frame["status"].map(lambda s: ResponseStatus(s).value)
    return frame


def respondent_table(connection: Connection, campaign_id: int,
                     by: Sequence[str] = ("unit",), unit_id: int | None = None
                     ) -> pd.DataFrame:
    """Valid responses per group: ``[*by, "n_respondents"]``."""
    columns = cut_columns(by)
    query = (select(*(column.label(name) for name, column in columns),
                    func.count().label("n_respondents"))
             .where(*_counted(campaign_id, unit_id=unit_id))
             .group_by(*(column for _, column in columns)))
    return _frame(connection.execute(query).all(), [*by, "n_respondents"])


#: Slots of pass 1: item index × 8 + value (1..5).
SLOT_STRIDE = 8


def _slots_table() -> Table:
    """A temporary table: each (item, value 1..5) of the instrument → its integer slot."""
    return Table("tmp_result_slots", MetaData(),
                 Column("item", String(20), nullable=False),
                 Column("value", SmallInteger, nullable=False),
                 Column("slot", Integer, nullable=False),
                 PrimaryKeyConstraint("item", "value"),
                 prefixes=["TEMPORARY"], sqlite_with_rowid=False)


def count_table(connection: Connection, campaign_id: int, items: Sequence[str],
                by: Sequence[str] = ("unit",), statuses: Sequence[ResponseStatus] = COUNTED,
                unit_id: int | None = None) -> pd.DataFrame:
    """Pass 1: valid answers 1..5 per group, item and value: ``[*by, item, value, count]``.

    Each answer is joined to a small temporary table giving its (item, value) one integer
    slot: answers "not applicable" and items outside the instrument drop out of the join.
    A single integer cut (unit, counter) and the slot are folded into one integer key, which
    SQLite sorts a third faster than a (group, item, value) record (docs/benchmarks.md).
    """
    columns = cut_columns(by)
    slots = _slots_table()
    width = SLOT_STRIDE * len(items)
    rows = [{"item": item, "value": value, "slot": SLOT_STRIDE * index + value}
            for index, item in enumerate(items) for value in RATING_VALUES]
    folded = len(columns) == 1 and GROUPINGS[by[0]].integer_keys
    if folded:
        name, column = columns[0]
        groups = [cast(_null_safe(column, name), BigInteger) * width + slots.c["slot"]]
    else:
        groups = [*(column for _, column in columns), slots.c["slot"]]
    query = (select(*groups, func.count().label("count"))
             .select_from(Answer).join(Response, Response.id == Answer.response_id)
             .join(slots, (slots.c["item"] == Answer.item_code)
                   & (slots.c["value"] == Answer.value))
             .where(*_counted(campaign_id, statuses, unit_id))
             .group_by(*groups))
    with _temporary(connection, slots, rows):
        found = connection.execute(query).all()
    if folded:
        found = [(*divmod(key, width), count) for key, count in found]
    frame = _frame(found, [*by, "slot", "count"])
    slot = frame["slot"].astype("int64")
    frame.insert(len(by), "item", pd.Series([items[number] for number in slot // SLOT_STRIDE],
                                            index=frame.index, dtype=object))
    frame.insert(len(by) + 1, "value", (slot % SLOT_STRIDE).to_numpy())
    return frame.drop(columns="slot").astype({"value": "int64", "count": "int64"})


@contextmanager
def _temporary(connection: Connection, table: Table, rows: list[dict[str, Any]]):
    """``table`` created on ``connection`` with ``rows``, and dropped afterwards."""
    table.drop(connection, checkfirst=True)  # left behind by a failed run on this connection
    table.create(connection)
    try:
        if rows:
            connection.execute(table.insert(), rows)
        yield table
    finally:
        table.drop(connection)


#: Per respondent, answered items of each element target are counted in a bit field of
#: one integer: 5 bits (≤ 31 items) × 12 fields fit in 64 bits. Beyond that, MAX columns.
MASK_BITS, MASK_FIELDS = 5, 12


@dataclass(frozen=True)
class _Plan:
    """How pass 2 tells whether a respondent belongs to each target (m_r)."""

    targets: list[str]
    #: Per target: ("count", 0) every joined row is in it; ("mask", field); ("max", 0).
    modes: list[tuple[str, int]]


def _plan(terms: dict[tuple, dict[int, tuple[float, float]]], targets: list[str]) -> _Plan:
    always = [all(index in row for row in terms.values()) for index in range(len(targets))]
    per_group: dict[tuple, list[int]] = {}
    for key, row in terms.items():
        counts = per_group.setdefault(key[:-1], [0] * len(targets))
        for index in row:
            counts[index] += 1
    largest = [max(counts[index] for counts in per_group.values())
               for index in range(len(targets))]
    partial = [index for index in range(len(targets)) if not always[index]]
    packed = (len(partial) <= MASK_FIELDS
              and all(largest[index] < 2 ** MASK_BITS for index in partial))
    modes = [("count", 0)] * len(targets)
    for field, index in enumerate(partial):
        modes[index] = ("mask", field) if packed else ("max", 0)
    return _Plan(targets, modes)


def _weights_table(by: Sequence[str], plan: _Plan) -> Table:
    """A temporary weights table: per group, item and value, z's term for every target."""
    keys = [Column(f"g_{name}", GROUPINGS[name].sql_type, nullable=False) for name in by]
    keys = [Column("item", String(20), nullable=False),
            Column("value", SmallInteger, nullable=False), *keys]
    columns = [Column(f"v{index}", Float) for index in range(len(plan.targets))]
    columns.append(Column("mask", BigInteger))
    columns += [Column(f"m{index}", SmallInteger)
                for index, (mode, _) in enumerate(plan.modes) if mode == "max"]
    # Keyed like the join (item, value, group) and without rowid in SQLite: one lookup
    # per answer reads the whole row.
    return Table("tmp_result_weights", MetaData(), *keys, *columns,
                 PrimaryKeyConstraint(*(column.name for column in keys)),
                 prefixes=["TEMPORARY"], sqlite_with_rowid=False)


def _null_safe(column: Any, name: str) -> Any:
    """A NULL group value as a sentinel, so the join stays an equi-join (hash/index)."""
    if not column.expression.nullable:
        return column
    return func.coalesce(column, null_key(name))


def _terms(weights: pd.DataFrame, by: Sequence[str], targets: list[str]
           ) -> dict[tuple, dict[int, tuple[float, float]]]:
    """(group…, item) → {target index: (c, p)} from the long weights of ``analysis``."""
    terms: dict[tuple, dict[int, tuple[float, float]]] = {}
    position = {target: index for index, target in enumerate(targets)}
    keys = [*by, "item"]
    for record in weights[[*keys, "target", "c", "p"]].itertuples(index=False, name=None):
        key = tuple(_plain(value) for value in record[:len(keys)])
        terms.setdefault(key, {})[position[record[len(keys)]]] = (float(record[-2]),
                                                                  float(record[-1]))
    return terms


def _weight_rows(terms: dict[tuple, dict[int, tuple[float, float]]], by: Sequence[str],
                 plan: _Plan, structure: Structure) -> list[dict[str, Any]]:
    """z's term c·(y − p) of every target per group, item and value, and membership."""
    rows = []
    for key, row_terms in terms.items():
        group = {f"g_{name}": value for name, value in zip(by, key[:-1], strict=True)}
        mask = sum(1 << (MASK_BITS * field) for index, (mode, field) in enumerate(plan.modes)
                   if mode == "mask" and index in row_terms)
        for value in RATING_VALUES:
            satisfied = 1.0 if value in structure.satisfied else 0.0
            row = {**group, "item": key[-1], "value": value, "mask": mask}
            for index, (mode, _) in enumerate(plan.modes):
                c, p = row_terms.get(index, (0.0, 0.0))
                row[f"v{index}"] = c * (satisfied - p)
                if mode == "max":
                    row[f"m{index}"] = 1 if index in row_terms else 0
            rows.append(row)
    return rows


def _member(scores: Any, mode: str, field: int, index: int) -> Any:
    """m_r of one target from a respondent's row of the scores subquery."""
    if mode == "count":
        return literal_column("1")
    if mode == "max":
        return scores.c[f"m{index}"]
    shifted = scores.c["mask"].op(">>")(literal_column(str(MASK_BITS * field)))
    bits = shifted.op("&")(literal_column(str(2 ** MASK_BITS - 1)))
    return case((bits > literal_column("0"), literal_column("1")), else_=literal_column("0"))


def moments_table(connection: Connection, campaign_id: int, weights: pd.DataFrame,
                  structure: Structure, by: Sequence[str] = ("unit",),
                  unit_id: int | None = None) -> pd.DataFrame:
    """Pass 2: Σ z_r², Σ z_r⁴ and respondents per group and target, in one scan.

    The weights go to a temporary table holding, per group, item and value 1..5, each
    target's term c·(y − p) of z_r (docs/analysis.md); so one GROUP BY over the
    respondent gives every target's z_r as a plain SUM, and answers "not applicable"
    drop out of the join.
    """
    targets = sorted(weights["target"].unique()) if len(weights) else []
    if not targets:
        return pd.DataFrame(columns=[*by, "target", "sum_z2", "sum_z4", "n_respondents"])
    terms = _terms(weights, by, targets)
    plan = _plan(terms, targets)
    table = _weights_table(by, plan)
    columns = cut_columns(by)
    with _temporary(connection, table, _weight_rows(terms, by, plan, structure)):
        # PostgreSQL sums bigint into numeric, which has no bit operators.
        per_respondent = [cast(func.sum(table.c["mask"]), BigInteger).label("mask")]
        for index, (mode, _) in enumerate(plan.modes):
            per_respondent.append(func.sum(table.c[f"v{index}"]).label(f"z{index}"))
            if mode == "max":
                per_respondent.append(func.max(table.c[f"m{index}"]).label(f"m{index}"))
        join = (table.c["item"] == Answer.item_code) & (table.c["value"] == Answer.value)
        for name, column in columns:
            join = join & (table.c[f"g_{name}"] == _null_safe(column, name))
        scores = (select(*(column.label(name) for name, column in columns), *per_respondent)
                  .select_from(Answer).join(Response, Response.id == Answer.response_id)
                  .join(table, join)
                  .where(*_counted(campaign_id, unit_id=unit_id))
                  .group_by(Response.unit_id, Response.id)
                  .subquery())
        sums = []
        for index, (mode, field) in enumerate(plan.modes):
            z, m = scores.c[f"z{index}"], _member(scores, mode, field, index)
            sums += [func.sum(z * z * m).label(f"s{index}"),
                     func.sum(z * z * z * z * m).label(f"q{index}"),
                     func.sum(m).label(f"n{index}")]
        query = (select(*(scores.c[name] for name in by), *sums)
                 .group_by(*(scores.c[name] for name in by)))
        wide = _frame(connection.execute(query).all(),
                      [*by, *(f"{k}{i}" for i in range(len(targets)) for k in ("s", "q", "n"))])
    parts = [wide[list(by)].assign(target=target, sum_z2=wide[f"s{index}"].astype(float),
                                   sum_z4=wide[f"q{index}"].astype(float),
                                   n_respondents=wide[f"n{index}"].astype("int64"))
             for index, target in enumerate(targets)]
    moments = pd.concat(parts, ignore_index=True)
    return moments.loc[moments["n_respondents"] > 0].reset_index(drop=True)


def run_passes(connection: Connection, campaign_id: int, instrument: Any,
               by: Sequence[str] = ("unit",), unit_id: int | None = None) -> Passes:
    """Both passes of one cut (of all units, or of ``unit_id`` only): counts and
    respondents, weights, moments."""
    structure = structure_of(instrument)
    by = list(by)
    counts = count_table(connection, campaign_id, structure.items, by, unit_id=unit_id)
    respondents = respondent_table(connection, campaign_id, by, unit_id)
    weights = analysis.compute_weights(counts, structure, by=by)
    moments = moments_table(connection, campaign_id, weights, structure, by, unit_id)
    return Passes(counts=counts, respondents=respondents, moments=moments, weights=weights)
