"""Satisfaction indices and mean scores from a count table (METHODOLOGY §3).

A count table has the columns ``[*by, "item", "value", "count"]``: one row per group,
rating item and value 1..5 with a positive count (not-applicable and blanks excluded).
Every index is a percentage computed at full precision; an index with no valid answer
is NaN ("—" on screen), never 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from questionnaires import HEADLINE_METHODS

from ._structure import DEFAULT_BY, By, StructureLike, by_columns, item_totals, structure_of
from .intervals import jeffreys_interval

#: The ways to aggregate a group's overall index (METHODOLOGY §3), one registry for all.
METHODS = HEADLINE_METHODS


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, NaN (not 0, not inf) where the denominator is 0."""
    return (numerator / denominator.where(denominator > 0)).astype("float64")


def criterion_indices(counts: pd.DataFrame, instrument: StructureLike, by: By = DEFAULT_BY,
                      confidence: float = 0.95, groups: pd.DataFrame | None = None
                      ) -> pd.DataFrame:
    r"""Criterion index with its Jeffreys interval, and the mean score, per group and item.

    .. math:: P(a,i) = 100\,s(a,i)/n(a,i), \qquad \bar x(a,i) = \sum_k k\,n(a,i,k)/n(a,i)

    with :math:`s = n_4 + n_5` (METHODOLOGY §3) and a Jeffreys interval
    (METHODOLOGY §4; :func:`analysis.intervals.jeffreys_interval`). Undefined (NaN) when
    :math:`n = 0`.

    Parameters
    ----------
    counts : DataFrame
        Count table ``[*by, "item", "value", "count"]``.
    instrument : Instrument or mapping item → element
        Rating items and their elements; satisfied values come from the scale.
    by : str or list of str
        Group column(s).
    confidence : float
        Level of the interval.
    groups : DataFrame, optional
        Extra group keys to list even without any answer (e.g. from the respondent table).

    Returns
    -------
    DataFrame
        ``[*by, "item", "element", "n", "s", "index", "ci_low", "ci_high", "se",
        "mean_score"]``; every rating item of every group, in questionnaire order.
        ``se`` is the binomial standard error :math:`100\sqrt{p(1-p)/n}`.
    """
    totals = item_totals(counts, structure_of(instrument), by, groups)
    p = _ratio(totals["s"], totals["n"])
    low, high = jeffreys_interval(totals["s"], totals["n"], confidence)
    return totals.drop(columns="value_sum").assign(
        index=100 * p, ci_low=100 * low, ci_high=100 * high,
        se=100 * np.sqrt(p * (1 - p) / totals["n"].where(totals["n"] > 0)),
        mean_score=_ratio(totals["value_sum"], totals["n"]))


def element_indices(counts: pd.DataFrame, instrument: StructureLike, by: By = DEFAULT_BY,
                    groups: pd.DataFrame | None = None) -> pd.DataFrame:
    r"""Element index and mean score per group (METHODOLOGY §3).

    .. math:: E(a,e) = \frac{1}{|D_e|}\sum_{i \in D_e} P(a,i), \qquad
              D_e = \{i \in e : n(a,i) > 0\}

    The element mean score is the mean of all valid values of its items,
    :math:`\sum_{i\in e}\sum_k k\,n(a,i,k) / \sum_{i\in e} n(a,i)`.

    Returns
    -------
    DataFrame
        ``[*by, "element", "n", "n_items", "n_items_defined", "index", "mean_score"]``,
        ``n`` being the number of valid answers to the element's items. The index is
        NaN when no item of the element is defined.
    """
    columns = by_columns(by)
    totals = item_totals(counts, structure_of(instrument), by, groups)
    totals = totals.assign(p=_ratio(totals["s"], totals["n"]))
    grouped = totals.groupby([*columns, "element"], dropna=False, sort=False)
    table = grouped.agg(n=("n", "sum"), n_items=("item", "size"), n_items_defined=("p", "count"),
                        p=("p", "mean"), value_sum=("value_sum", "sum")).reset_index()
    return table.assign(index=100 * table.pop("p"),
                        mean_score=_ratio(table.pop("value_sum"), table["n"]))


def overall_indices(counts: pd.DataFrame, instrument: StructureLike, by: By = DEFAULT_BY,
                    groups: pd.DataFrame | None = None) -> pd.DataFrame:
    r"""Overall index per group by every method (METHODOLOGY §3).

    - ``mean-of-elements`` (QĐ 2640 practice): mean of the defined element indices,
      :math:`\frac{1}{|F|}\sum_{e\in F} E(a,e)`.
    - ``pooled`` (reading of the QĐ 1001 figures): :math:`100\sum_i s(a,i)/\sum_i n(a,i)`.
    - ``mean-of-criteria``: mean of the defined criterion indices,
      :math:`\frac{1}{|D|}\sum_{i\in D} P(a,i)`.

    The mean score follows the same rule by analogy: the mean of the element mean
    scores, the mean of all valid values, or the mean of the item mean scores.

    Returns
    -------
    DataFrame
        ``[*by, "method", "n", "index", "mean_score", "n_elements"]``, one row per group and
        method; ``n`` is the number of valid answers, ``n_elements`` the number of the
        instrument's elements with at least one valid answer behind the index (every
        method uses the same answers, so the same elements).
    """
    columns = by_columns(by)
    elements = element_indices(counts, instrument, by, groups)
    by_group = elements.groupby(columns, dropna=False, sort=False)
    mean_of_elements = by_group.agg(n=("n", "sum"), index=("index", "mean"),
                                    mean_score=("mean_score", "mean"),
                                    n_elements=("index", "count")).reset_index()
    totals = item_totals(counts, structure_of(instrument), by, groups)
    totals = totals.assign(p=_ratio(totals["s"], totals["n"]),
                           score=_ratio(totals["value_sum"], totals["n"]))
    grouped = totals.groupby(columns, dropna=False, sort=False)
    sums = grouped[["n", "s", "value_sum"]].sum().reset_index()
    pooled = sums[columns].assign(n=sums["n"], index=100 * _ratio(sums["s"], sums["n"]),
                                  mean_score=_ratio(sums["value_sum"], sums["n"]))
    means = grouped.agg(index=("p", "mean"), mean_score=("score", "mean")).reset_index()
    criteria = sums[columns].assign(n=sums["n"], index=100 * means["index"],
                                    mean_score=means["mean_score"])
    used = mean_of_elements[[*columns, "n_elements"]]
    parts = [mean_of_elements.assign(method=METHODS[0]),
             pooled.merge(used, on=columns, how="left").assign(method=METHODS[1]),
             criteria.merge(used, on=columns, how="left").assign(method=METHODS[2])]
    table = pd.concat(parts, ignore_index=True)
    table = table.sort_values(columns, kind="stable", na_position="last")
    table["n_elements"] = table["n_elements"].astype("int64")
    return table[[*columns, "method", "n", "index", "mean_score", "n_elements"]
                 ].reset_index(drop=True)
