"""Counting in the database: one aggregation per cut, the tables ``analysis`` expects.

Every function takes a SQLAlchemy ``Connection`` so that all the passes of one computation
read the same snapshot (see ``results.read_snapshot``). Nothing here loads response rows
into Python: each query returns groups × items (× values) rows at most.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import (
    Column,
    Connection,
    Float,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    func,
    select,
)
from sqlalchemy.sql.elements import ColumnElement

import analysis
from analysis import Structure, structure_of

from ..models import Answer, Response, ResponseStatus

#: The cuts the results can be grouped by: name → (response column, SQL type of its values).
CUT_COLUMNS: dict[str, tuple[Any, Any]] = {
    "unit": (Response.unit_id, Integer),
    "field": (Response.field, String(40)),
    "channel": (Response.channel, String(20)),
    "respondent_type": (Response.respondent_type, String(20)),
    "counter": (Response.counter_id, Integer),
}

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
    unknown = [name for name in by if name not in CUT_COLUMNS]
    if unknown:
        raise ValueError(f"unknown cut(s) {unknown}; known: {sorted(CUT_COLUMNS)}")
    return [(name, CUT_COLUMNS[name][0]) for name in by]


def _counted(campaign_id: int) -> list[ColumnElement[bool]]:
    """The responses that count: this campaign's, status valid (flagged/invalid left out)."""
    return [Response.campaign_id == campaign_id, Response.status == ResponseStatus.VALID]


def _frame(rows: Sequence[Any], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame([tuple(row) for row in rows], columns=columns)
    for name in columns:
        if name in CUT_COLUMNS:
            # Group keys as plain Python objects: NULL stays None, a group of its own.
            frame[name] = pd.Series([_plain(value) for value in frame[name]], dtype=object,
                                    index=frame.index)
    return frame


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):  # NULL / NaN
        return None
    if isinstance(value, str):
        return str(value)  # StrEnum members as their stored value
    return int(value)


def status_counts(connection: Connection, campaign_id: int,
                  by: Sequence[str] = ("unit",)) -> pd.DataFrame:
    """Responses of the campaign per group and status: ``[*by, "status", "n"]``."""
    columns = cut_columns(by)
    query = (select(*(column.label(name) for name, column in columns),
                    Response.status.label("status"), func.count().label("n"))
             .where(Response.campaign_id == campaign_id)
             .group_by(*(column for _, column in columns), Response.status))
    frame = _frame(connection.execute(query).all(), [*by, "status", "n"])
    frame["status"] = frame["status"].map(lambda s: ResponseStatus(s).value)
    return frame


def respondent_table(connection: Connection, campaign_id: int,
                     by: Sequence[str] = ("unit",)) -> pd.DataFrame:
    """Valid responses per group: ``[*by, "n_respondents"]``."""
    columns = cut_columns(by)
    query = (select(*(column.label(name) for name, column in columns),
                    func.count().label("n_respondents"))
             .where(*_counted(campaign_id))
             .group_by(*(column for _, column in columns)))
    return _frame(connection.execute(query).all(), [*by, "n_respondents"])


def count_table(connection: Connection, campaign_id: int, items: Sequence[str],
                by: Sequence[str] = ("unit",)) -> pd.DataFrame:
    """Pass 1: valid answers 1..5 per group, item and value: ``[*by, item, value, count]``."""
    columns = cut_columns(by)
    query = (select(*(column.label(name) for name, column in columns),
                    Answer.item_code.label("item"), Answer.value.label("value"),
                    func.count().label("count"))
             .select_from(Answer).join(Response, Response.id == Answer.response_id)
             .where(*_counted(campaign_id), Answer.value.between(1, 5))
             .group_by(*(column for _, column in columns), Answer.item_code, Answer.value))
    frame = _frame(connection.execute(query).all(), [*by, "item", "value", "count"])
    # Items are filtered here, not in SQL: an IN list on item_code makes SQLite probe the
    # answer key once per item and response instead of reading each response's answers once.
    frame = frame.loc[frame["item"].isin(list(items))].reset_index(drop=True)
    return frame.astype({"value": "int64", "count": "int64"})


def _weights_table(by: Sequence[str], n_targets: int) -> Table:
    """A temporary weights table: per group, item and value, z's term for every target."""
    columns = [Column(f"g_{name}", CUT_COLUMNS[name][1]) for name in by]
    columns += [Column("item", String(20)), Column("value", SmallInteger)]
    columns += [Column(f"v{index}", Float) for index in range(n_targets)]
    columns += [Column(f"m{index}", SmallInteger) for index in range(n_targets)]
    table = Table("tmp_result_weights", MetaData(), *columns, prefixes=["TEMPORARY"])
    Index("ix_tmp_result_weights", table.c["item"], table.c["value"],
          *(table.c[f"g_{name}"] for name in by))
    return table


def _null_safe(column: Any, name: str) -> Any:
    """A NULL group value as a sentinel, so the join stays an equi-join (hash/index)."""
    if not column.expression.nullable:
        return column
    return func.coalesce(column, NULL_KEY[CUT_COLUMNS[name][1] is Integer])


NULL_KEY = {True: -1, False: "~"}


def _weight_rows(weights: pd.DataFrame, by: Sequence[str], targets: list[str],
                 structure: Structure) -> list[dict[str, Any]]:
    """The long weights of ``analysis`` as z's term c·(y − p) per group, item and value."""
    cp: dict[tuple, dict[int, tuple[float, float]]] = {}
    position = {target: index for index, target in enumerate(targets)}
    keys = [*by, "item"]
    for record in weights[[*keys, "target", "c", "p"]].itertuples(index=False, name=None):
        key = tuple(_plain(value) for value in record[:len(keys)])
        cp.setdefault(key, {})[position[record[len(keys)]]] = (float(record[-2]),
                                                               float(record[-1]))
    rows = []
    for key, terms in cp.items():
        group = {f"g_{name}": (NULL_KEY[CUT_COLUMNS[name][1] is Integer] if value is None
                               else value) for name, value in zip(by, key[:-1], strict=True)}
        for value in RATING_VALUES:
            satisfied = 1.0 if value in structure.satisfied else 0.0
            row = {**group, "item": key[-1], "value": value}
            for index in range(len(targets)):
                c, p = terms.get(index, (0.0, 0.0))
                row[f"v{index}"] = c * (satisfied - p)
                row[f"m{index}"] = 1 if index in terms else 0
            rows.append(row)
    return rows


def moments_table(connection: Connection, campaign_id: int, weights: pd.DataFrame,
                  structure: Structure, by: Sequence[str] = ("unit",)) -> pd.DataFrame:
    """Pass 2: Σ z_r² and respondents per group and target, in one scan of the answers.

    The weights go to a temporary table holding, per group, item and value 1..5, each
    target's term c·(y − p) of z_r (docs/analysis.md); so one GROUP BY over the
    respondent gives every target's z_r as a plain SUM, and answers "not applicable"
    drop out of the join.
    """
    targets = sorted(weights["target"].unique()) if len(weights) else []
    if not targets:
        return pd.DataFrame(columns=[*by, "target", "sum_z2", "n_respondents"])
    table = _weights_table(by, len(targets))
    columns = cut_columns(by)
    table.drop(connection, checkfirst=True)  # left behind by a failed run on this connection
    table.create(connection)
    try:
        connection.execute(table.insert(), _weight_rows(weights, by, targets, structure))
        per_respondent = []
        for index in range(len(targets)):
            per_respondent.append(func.sum(table.c[f"v{index}"]).label(f"z{index}"))
            per_respondent.append(func.max(table.c[f"m{index}"]).label(f"m{index}"))
        join = (table.c["item"] == Answer.item_code) & (table.c["value"] == Answer.value)
        for name, column in columns:
            join = join & (table.c[f"g_{name}"] == _null_safe(column, name))
        scores = (select(*(column.label(name) for name, column in columns), *per_respondent)
                  .select_from(Answer).join(Response, Response.id == Answer.response_id)
                  .join(table, join)
                  .where(*_counted(campaign_id))
                  .group_by(Response.unit_id, Response.id)
                  .subquery())
        sums = []
        for index in range(len(targets)):
            z, m = scores.c[f"z{index}"], scores.c[f"m{index}"]
            sums += [func.sum(z * z * m).label(f"s{index}"), func.sum(m).label(f"n{index}")]
        query = (select(*(scores.c[name] for name in by), *sums)
                 .group_by(*(scores.c[name] for name in by)))
        wide = _frame(connection.execute(query).all(),
                      [*by, *(f"{k}{i}" for i in range(len(targets)) for k in ("s", "n"))])
    finally:
        table.drop(connection)
    parts = [wide[list(by)].assign(target=target, sum_z2=wide[f"s{index}"].astype(float),
                                   n_respondents=wide[f"n{index}"].astype("int64"))
             for index, target in enumerate(targets)]
    moments = pd.concat(parts, ignore_index=True)
    return moments.loc[moments["n_respondents"] > 0].reset_index(drop=True)


def run_passes(connection: Connection, campaign_id: int, instrument: Any,
               by: Sequence[str] = ("unit",)) -> Passes:
    """Both passes of one cut: counts and respondents, weights, moments."""
    structure = structure_of(instrument)
    by = list(by)
    counts = count_table(connection, campaign_id, structure.items, by)
    respondents = respondent_table(connection, campaign_id, by)
    weights = analysis.compute_weights(counts, structure, by=by)
    moments = moments_table(connection, campaign_id, weights, structure, by)
    return Passes(counts=counts, respondents=respondents, moments=moments, weights=weights)
