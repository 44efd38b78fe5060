"""From index to PAR points, and the ranking of units (METHODOLOGY §6)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from questionnaires import ScoringRule, ScoringRules

from ._structure import DEFAULT_BY, DISTRICT, By, by_columns, require_columns
from .display import round_half_up
from .district import is_district


def rule_points(index: float | np.ndarray | pd.Series, rule: ScoringRule
                ) -> float | np.ndarray | pd.Series:
    r"""PAR points of an index (percent) under one rule (METHODOLOGY §6).

    .. math:: \text{points} = \text{max\_points}\cdot\min\bigl(1,\ (I/100)/\text{threshold}\bigr)

    with the index as a fraction (83.94% → 0.8394). An undefined index gives undefined
    points (NaN), never 0. ``threshold = 1`` is the plain "max × index" rule, ``0.9``
    the QĐ 766/QĐ-TTg rule (full marks from 90%).
    """
    return rule.max_points * np.minimum(1.0, (index / 100) / rule.threshold)


def competition_rank(points: pd.Series) -> pd.Series:
    """Rank descending with ties sharing the best rank (1, 2, 2, 4); NaN stays unranked.

    Points are compared as shown to people, rounded half-up to 2 decimals, so units
    whose displayed points are equal share a rank.
    """
    shown = points.map(round_half_up)
    return shown.rank(method="min", ascending=False, na_option="keep").astype("Int64")


def par_points(results: pd.DataFrame, rules: ScoringRules, by: By = DEFAULT_BY,
               district_label: object = DISTRICT, ranked: pd.DataFrame | None = None
               ) -> pd.DataFrame:
    """Points, their interval and the rank of every group under every rule, and the total.

    A rule's ``index`` is ``"overall"`` (the campaign's headline overall index) or
    ``"element:<code>"``; it is looked up in the result table of
    :func:`analysis.compute_results`. District rows are left out. The points' interval is
    the rule applied to the index's interval bounds (the rule is monotone); the total's is
    the sum of the rules' bounds (exact with one rule, wider than needed with several).

    Only the groups marked in ``ranked`` are ranked (METHODOLOGY §6: a unit below its
    required sample keeps its points, provisional, with no rank); for each rule and for the
    ``"total"`` of all rules (undefined if any part is) they are ranked by points
    descending on the values rounded half-up to 2 decimals, ties sharing a rank (standard
    competition ranking 1, 2, 2, 4).

    Parameters
    ----------
    ranked : DataFrame, optional
        ``[*by, "ranked"]`` (bool); groups missing from it or marked False get no rank.
        None ranks every group.

    Returns
    -------
    DataFrame
        ``[*by, "rule", "label", "index", "max_points", "threshold", "points",
        "points_low", "points_high", "points_display", "ranked", "rank"]``;
        ``points_display`` is rounded to 2 decimals and ``rule`` is the rule code or
        ``"total"``.
    """
    columns = by_columns(by)
    require_columns(results, [*columns, "target", "index", "ci_low", "ci_high"],
                    "result table")
    groups = results.loc[~is_district(results, by, district_label)]
    parts = []
    for rule in rules.rules:
        rows = groups.loc[groups["target"] == rule.index, [*columns, "index", "ci_low",
                                                           "ci_high"]]
        if rows.empty:
            raise ValueError(f"scoring rule {rule.code!r}: no result rows for {rule.index!r}")
        parts.append(rows.assign(rule=rule.code, label=rule.label, max_points=rule.max_points,
                                 threshold=rule.threshold,
                                 points=rule_points(rows["index"], rule),
                                 points_low=rule_points(rows["ci_low"], rule),
                                 points_high=rule_points(rows["ci_high"], rule)))
    table = pd.concat(parts, ignore_index=True).drop(columns=["ci_low", "ci_high"])

    def whole(x: pd.Series) -> float:
        return x.sum(min_count=len(x))

    total = table.groupby(columns, dropna=False, sort=False).agg(
        points=("points", whole), points_low=("points_low", whole),
        points_high=("points_high", whole), max_points=("max_points", "sum")).reset_index()
    total = total.assign(rule="total", label="Tổng điểm", index=np.nan, threshold=np.nan)
    table = pd.concat([table, total], ignore_index=True)
    if ranked is None:
        table["ranked"] = True
    else:
        require_columns(ranked, [*columns, "ranked"], "ranked table")
        table = table.merge(ranked[[*columns, "ranked"]], on=columns, how="left")
        table["ranked"] = table["ranked"].fillna(False).astype(bool)
    table["points_display"] = table["points"].map(round_half_up)
    rankable = table["points"].where(table["ranked"])
    table["rank"] = rankable.groupby(table["rule"], sort=False).transform(competition_rank)
    table["rank"] = table["rank"].astype("Int64")
    return table[[*columns, "rule", "label", "index", "max_points", "threshold", "points",
                  "points_low", "points_high", "points_display", "ranked", "rank"]]
