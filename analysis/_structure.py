"""Instrument structure and count-table plumbing shared by the statistics modules.

Nothing here computes a statistic; it turns the inputs every public function takes
(a count table, an instrument, a ``by`` argument) into checked, predictable shapes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from questionnaires import Instrument

from ._names import DEFAULT_BY, DISTRICT, By

#: Values counted as satisfied when the structure is given as a plain mapping.
DEFAULT_SATISFIED = frozenset({4, 5})
#: The rating values that enter the indices (METHODOLOGY §3).
VALID_VALUES = frozenset({1, 2, 3, 4, 5})



@dataclass(frozen=True)
class Structure:
    """Rating items in questionnaire order, the element of each, and the satisfied values."""

    element_of: Mapping[str, str]
    satisfied: frozenset[int] = DEFAULT_SATISFIED

    @property
    def items(self) -> tuple[str, ...]:
        return tuple(self.element_of)

    @property
    def elements(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.element_of.values()))


StructureLike = Instrument | Mapping[str, str] | Structure


def structure_of(instrument: StructureLike) -> Structure:
    """The :class:`Structure` of an instrument, an item→element mapping, or a structure."""
    if isinstance(instrument, Structure):
        return instrument
    if isinstance(instrument, Instrument):
        satisfied = frozenset().union(*(item.scale.satisfied for item in instrument.rating_items))
        return Structure(instrument.element_of(), frozenset(satisfied) or DEFAULT_SATISFIED)
    if isinstance(instrument, Mapping):
        if not instrument:
            raise ValueError("the item→element mapping is empty")
        return Structure(dict(instrument))
    raise TypeError(f"expected an Instrument or an item→element mapping, got {type(instrument)}")


def by_columns(by: By) -> list[str]:
    """``by`` as a list of column names."""
    columns = [by] if isinstance(by, str) else list(by)
    if not columns:
        raise ValueError("'by' names no group column")
    return columns


def require_columns(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    """Raise ValueError naming the table and the missing columns."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks column(s) {missing}; it has {list(frame.columns)}")


def check_counts(counts: pd.DataFrame, structure: Structure, by: By) -> pd.DataFrame:
    """Validate a count table and keep the rating items of the structure.

    Rows of items outside the structure (e.g. optional blocks on another scale) are
    dropped; duplicate (group, item, value) rows are summed.

    Raises
    ------
    ValueError
        On missing columns, values outside 1..5 or counts that are not positive integers.
    """
    columns = by_columns(by)
    require_columns(counts, [*columns, "item", "value", "count"], "count table")
    frame = counts.loc[counts["item"].isin(structure.element_of), [*columns, "item", "value",
                                                                    "count"]]
    values = pd.to_numeric(frame["value"], errors="coerce")
    if not values.isin(VALID_VALUES).all():
        bad = sorted(frame.loc[~values.isin(VALID_VALUES), "value"].astype(str).unique())
        raise ValueError(f"count table has values outside 1..5: {bad[:5]}")
    count = pd.to_numeric(frame["count"], errors="coerce")
    if count.isna().any() or (count <= 0).any() or (count % 1 != 0).any():
        raise ValueError("count table 'count' must hold positive integers")
    frame = frame.assign(value=values.astype("int64"), count=count.astype("int64"))
    return (frame.groupby([*columns, "item", "value"], dropna=False, sort=False)["count"]
            .sum().reset_index())


def group_keys(frames: Sequence[pd.DataFrame], by: By) -> pd.DataFrame:
    """The distinct group keys found in any of ``frames``, sorted."""
    columns = by_columns(by)
    parts = [frame[columns] for frame in frames if frame is not None and len(frame)]
    if not parts:
        return pd.DataFrame(columns=columns)
    keys = pd.concat(parts, ignore_index=True).drop_duplicates()
    return keys.sort_values(columns, na_position="last").reset_index(drop=True)


def pool_groups(counts: pd.DataFrame, by: By = DEFAULT_BY, label: object = DISTRICT,
                value_columns: Sequence[str] = ("count",)) -> pd.DataFrame:
    """Sum a table over all groups: the "district" row (METHODOLOGY §3, district figure).

    Every group column is set to ``label``; the remaining non-value columns (``item``,
    ``value``, ``target``…) are kept as keys. Works on count tables and respondent tables.
    """
    columns = by_columns(by)
    keys = [c for c in counts.columns if c not in columns and c not in value_columns]
    if keys:
        pooled = counts.groupby(keys, dropna=False, sort=True)[list(value_columns)].sum()
        pooled = pooled.reset_index()
    else:
        pooled = counts[list(value_columns)].sum().to_frame().T
    for column in columns:
        pooled.insert(0, column, label)
    return pooled[[*columns, *keys, *value_columns]]


def item_totals(counts: pd.DataFrame, structure: Structure, by: By,
                groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per group and rating item: n (valid answers), s (satisfied), value_sum.

    Every (group, item) of the structure is present, with zeros where nothing was
    answered, so undefined criteria stay visible. Columns: ``[*by, "item", "element",
    "n", "s", "value_sum"]`` in questionnaire order.
    """
    columns = by_columns(by)
    checked = check_counts(counts, structure, by)
    satisfied = checked["value"].isin(structure.satisfied)
    totals = (checked.assign(s=checked["count"].where(satisfied, 0),
                             value_sum=checked["count"] * checked["value"])
              .groupby([*columns, "item"], dropna=False, sort=False)[["count", "s", "value_sum"]]
              .sum().rename(columns={"count": "n"}).reset_index())
    keys = group_keys([checked, groups] if groups is not None else [checked], by)
    items = pd.DataFrame({"item": list(structure.items),
                          "element": [structure.element_of[i] for i in structure.items]})
    grid = keys.merge(items, how="cross")
    full = grid.merge(totals, on=[*columns, "item"], how="left")
    for column in ("n", "s", "value_sum"):
        full[column] = full[column].fillna(0).astype("int64")
    return full
