"""Do units differ, and which differ from the district? (METHODOLOGY §4)

Both functions read the result table of :func:`analysis.compute_results` (group rows and
district rows), so no statistic is computed twice.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from ._structure import DEFAULT_BY, DISTRICT, By, by_columns, require_columns
from .district import fallback_variance, is_district


def holm(p_values: npt.ArrayLike) -> npt.NDArray[np.float64]:
    r"""Holm step-down adjusted p-values; NaN entries are ignored and stay NaN.

    With the m defined p-values sorted, :math:`p_{(1)} \le \dots \le p_{(m)}`,

    .. math:: \tilde p_{(j)} = \min\Bigl(1, \max_{k \le j} (m - k + 1)\,p_{(k)}\Bigr).

    Rejecting where :math:`\tilde p \le \alpha` controls the family-wise error rate at α.

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure.
    Scand J Statist 6:65–70.
    """
    p = np.asarray(p_values, dtype=float)
    if np.any((p < 0) | (p > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    adjusted = np.full(p.shape, np.nan)
    defined = np.flatnonzero(~np.isnan(p))
    order = defined[np.argsort(p[defined], kind="stable")]
    m = len(order)
    steps = (m - np.arange(m)) * p[order]
    adjusted[order] = np.minimum(1.0, np.maximum.accumulate(steps))
    return adjusted


def _target_rows(results: pd.DataFrame, target: str, by: By, district_label: object
                 ) -> tuple[pd.DataFrame, pd.Series]:
    columns = by_columns(by)
    require_columns(results, [*columns, "target", "n", "n_respondents", "index", "variance"],
                    "result table")
    rows = results.loc[results["target"] == target]
    if rows.empty:
        raise ValueError(f"result table has no rows for target {target!r}")
    district = is_district(rows, by, district_label)
    if district.sum() != 1:
        raise ValueError("result table needs exactly one district row per target")
    return rows.loc[~district].copy(), rows.loc[district].iloc[0]


def units_differ(results: pd.DataFrame, by: By = DEFAULT_BY, district_label: object = DISTRICT
                 ) -> pd.DataFrame:
    r"""Chi-square test that all groups share one satisfied share, with a Rao–Scott correction.

    The table is groups × {satisfied, not satisfied} over all valid answers (the pooled
    index). Pearson's statistic

    .. math:: X^2 = \sum_h n_h (R_h - \bar R)^2 / \bigl(\bar R(1-\bar R)\bigr)

    assumes independent answers, but one person's answers are correlated. First-order
    Rao–Scott correction: :math:`X^2_{RS} = X^2/\hat\delta` referred to
    :math:`\chi^2_{H-1}`, with the mean generalised design effect for a homogeneity test
    across independent groups,

    .. math:: \hat\delta = \frac{1}{H-1}\sum_h (1 - n_h/n)\,d_h, \qquad
              d_h = \hat V_h \big/ \bigl(R_h(1-R_h)/n_h\bigr),

    :math:`\hat V_h` being the linearised variance of the group's pooled index
    (:math:`d_h = 1` where undefined). This follows from :math:`E[X^2] = \sum_h (1-n_h/n)
    d_h` under the null hypothesis.

    References
    ----------
    Rao, J. N. K. & Scott, A. J. (1981). The analysis of categorical data from complex
    sample surveys: chi-squared tests for goodness of fit and independence in two-way
    tables. JASA 76:221–230. Lohr, S. L. (2010). Sampling: Design and Analysis, §10.3.

    Returns
    -------
    DataFrame
        One row: ``n_groups, df, statistic, mean_deff, statistic_corrected, p_value,
        p_value_uncorrected`` (``p_value`` is the corrected one).
    """
    groups, district = _target_rows(results, "overall:pooled", by, district_label)
    groups = groups.loc[groups["n"] > 0]
    n = groups["n"].to_numpy(float)
    r = groups["index"].to_numpy(float) / 100
    r_bar = float(district["index"]) / 100
    size = len(groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = float(np.sum(n * (r - r_bar) ** 2) / (r_bar * (1 - r_bar)))
        variance = fallback_variance(groups["index"], groups["variance"],
                                     groups["n_respondents"]).to_numpy(float)
        srs = r * (1 - r) / n
        deff = np.where((srs > 0) & ~np.isnan(variance), variance / srs, 1.0)
    df = max(size - 1, 0)
    if df < 1 or not 0 < r_bar < 1:
        statistic, mean_deff = np.nan, np.nan
    else:
        mean_deff = float(np.sum((1 - n / n.sum()) * deff) / df)
    corrected = statistic / mean_deff
    return pd.DataFrame({
        "n_groups": [size], "df": [df], "statistic": [statistic], "mean_deff": [mean_deff],
        "statistic_corrected": [corrected],
        "p_value": [stats.chi2.sf(corrected, df) if df >= 1 else np.nan],
        "p_value_uncorrected": [stats.chi2.sf(statistic, df) if df >= 1 else np.nan]})


def compare_with_district(results: pd.DataFrame, target: str = "overall", by: By = DEFAULT_BY,
                          alpha: float = 0.05, district_label: object = DISTRICT
                          ) -> pd.DataFrame:
    r"""Which groups' index differs from the district figure beyond chance (METHODOLOGY §4).

    Two-sided z-test of :math:`T_h - T_d` where the district estimate includes group h.
    With the groups as independent strata and :math:`T_d \approx \sum_k w_k T_k`,
    :math:`w_k = n_k/\sum n`,

    .. math:: \operatorname{Var}(T_h - T_d) = (1-w_h)^2 V_h + \sum_{k\ne h} w_k^2 V_k
              = (1 - 2w_h)\,V_h + V_d ,

    using the district variance :math:`V_d = \sum_k w_k^2 V_k` of the result table. The
    p-values of all groups with a defined index are Holm-adjusted (:func:`holm`) and a
    group is flagged when the adjusted p-value is at most ``alpha``.

    Parameters
    ----------
    results : DataFrame
        Result table of :func:`analysis.compute_results` with the district rows.
    target : str
        ``"overall"`` (headline), ``"overall:<method>"``, ``"element:<code>"`` or
        ``"criterion:<item>"``.
    alpha : float
        Family-wise error rate.

    Returns
    -------
    DataFrame
        ``[*by, "target", "index", "district_index", "difference", "se_difference", "z",
        "p_value", "p_holm", "differs", "direction"]``; ``difference`` and
        ``se_difference`` in percentage points; ``direction`` is ``"above"``, ``"below"`` or
        ``""``.
    """
    columns = by_columns(by)
    groups, district = _target_rows(results, target, by, district_label)
    share = groups["n"] / groups["n"].sum()
    variance = fallback_variance(groups["index"], groups["variance"], groups["n_respondents"])
    var_difference = ((1 - 2 * share) * variance + float(district["variance"])).clip(lower=0)
    difference = groups["index"] - float(district["index"])
    se = 100 * np.sqrt(var_difference)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (difference / se).where(se > 0)
    p_value = pd.Series(2 * stats.norm.sf(np.abs(z)), index=groups.index)
    p_holm = holm(p_value)
    differs = pd.Series(p_holm <= alpha, index=groups.index)
    direction = np.where(differs, np.where(difference > 0, "above", "below"), "")
    return groups[columns].assign(
        target=target, index=groups["index"], district_index=float(district["index"]),
        difference=difference, se_difference=se, z=z, p_value=p_value, p_holm=p_holm,
        differs=differs, direction=direction).reset_index(drop=True)
