"""Do units differ, and which differ from the district? (METHODOLOGY §4)

Both functions read the result table of :func:`analysis.compute_results` (group rows and
district rows), so no statistic is computed twice. Neither ever treats an estimated variance
as zero, and neither tests a unit with fewer than ``min_respondents`` respondents.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from ._structure import DEFAULT_BY, DISTRICT, By, by_columns, require_columns
from .district import floored_variance, is_district

#: Fewest respondents behind a unit's index for it to be compared (METHODOLOGY §4).
MIN_RESPONDENTS = 30
#: What a unit too small to compare reads instead (METHODOLOGY §4).
TOO_FEW_TO_COMPARE = "chưa đủ mẫu để so sánh"


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
    groups = rows.loc[~district]
    freedom = groups["df"] if "df" in groups else groups["n_respondents"] - 1
    floored = floored_variance(groups["index"], groups["variance"], groups["n_respondents"])
    return groups.assign(df=freedom, floored=floored), rows.loc[district].iloc[0]


def _eligible(groups: pd.DataFrame, min_respondents: int) -> pd.Series:
    return groups["index"].notna() & (groups["n"] > 0) \
        & (groups["n_respondents"] >= min_respondents)


def units_differ(results: pd.DataFrame, target: str = "overall:pooled", by: By = DEFAULT_BY,
                 district_label: object = DISTRICT, min_respondents: int = MIN_RESPONDENTS
                 ) -> pd.DataFrame:
    r"""Do the groups' indices differ at all? (METHODOLOGY §4; the campaign's own headline)

    Only groups with at least ``min_respondents`` respondents behind the index take part.

    **Pooled index** (``target="overall:pooled"``): the table groups × {satisfied, not
    satisfied} over all valid answers, Pearson's statistic

    .. math:: X^2 = \sum_h n_h (R_h - \bar R)^2 / \bigl(\bar R(1-\bar R)\bigr)

    with the first-order Rao–Scott correction for answers of one person being correlated:
    :math:`X^2_{RS} = X^2/\hat\delta` referred to :math:`\chi^2_{H-1}`, with the mean
    generalised design effect

    .. math:: \hat\delta = \frac{1}{H-1}\sum_h (1 - n_h/n)\,d_h, \qquad
              d_h = \hat V_h \big/ \bigl(R_h(1-R_h)/n_h\bigr)

    (:math:`d_h = 1` where undefined), :math:`\bar R` the pooled share of these groups.

    **Any other index** (mean of elements or of criteria, an element): Welch's
    heteroscedastic one-way test on the groups' estimates :math:`T_h` with their floored
    linearised variances :math:`V_h` and effective degrees of freedom :math:`\nu_h`:
    :math:`w_h = 1/V_h`, :math:`\hat T = \sum w_h T_h/\sum w_h`,
    :math:`\Lambda = \sum_h (1 - w_h/\sum w)^2/\nu_h`,

    .. math:: F = \frac{\sum_h w_h (T_h - \hat T)^2/(H-1)}{1 + 2(H-2)\Lambda/(H^2-1)}
              \sim F\bigl(H-1,\ (H^2-1)/(3\Lambda)\bigr).

    References
    ----------
    Rao, J. N. K. & Scott, A. J. (1981). The analysis of categorical data from complex
    sample surveys: chi-squared tests for goodness of fit and independence in two-way
    tables. JASA 76:221–230. Lohr, S. L. (2010). Sampling: Design and Analysis, §10.3.
    Welch, B. L. (1951). On the comparison of several mean values: an alternative approach.
    Biometrika 38:330–336.

    Returns
    -------
    DataFrame
        One row: ``target, test ("rao-scott" | "welch"), n_groups, df, df_denominator,
        statistic, p_value`` and, for the pooled index, ``mean_deff, statistic_uncorrected,
        p_value_uncorrected``.
    """
    groups, _ = _target_rows(results, target, by, district_label)
    groups = groups.loc[_eligible(groups, min_respondents)]
    if target == "overall:pooled":
        return _rao_scott(groups)
    return _welch(groups, target)


def _rao_scott(groups: pd.DataFrame) -> pd.DataFrame:
    n = groups["n"].to_numpy(float)
    r = groups["index"].to_numpy(float) / 100
    size = len(groups)
    df = max(size - 1, 0)
    r_bar = float(np.sum(n * r) / n.sum()) if size else np.nan
    statistic, mean_deff = np.nan, np.nan
    if df >= 1 and 0 < r_bar < 1:
        statistic = float(np.sum(n * (r - r_bar) ** 2) / (r_bar * (1 - r_bar)))
        with np.errstate(divide="ignore", invalid="ignore"):
            srs = r * (1 - r) / n
            variance = groups["floored"].to_numpy(float)
            deff = np.where((srs > 0) & ~np.isnan(variance), variance / srs, 1.0)
        mean_deff = float(np.sum((1 - n / n.sum()) * deff) / df)
    corrected = statistic / mean_deff
    return pd.DataFrame({
        "target": ["overall:pooled"], "test": ["rao-scott"], "n_groups": [size], "df": [df],
        "df_denominator": [np.nan], "statistic": [corrected],
        "p_value": [stats.chi2.sf(corrected, df) if df >= 1 else np.nan],
        "mean_deff": [mean_deff], "statistic_uncorrected": [statistic],
        "p_value_uncorrected": [stats.chi2.sf(statistic, df) if df >= 1 else np.nan]})


def _welch(groups: pd.DataFrame, target: str) -> pd.DataFrame:
    size = len(groups)
    statistic = p_value = df_denominator = np.nan
    if size >= 2:
        t = groups["index"].to_numpy(float) / 100
        w = 1 / groups["floored"].to_numpy(float)
        freedom = np.maximum(groups["df"].fillna(1).to_numpy(float), 1)
        centre = np.sum(w * t) / w.sum()
        lam = float(np.sum((1 - w / w.sum()) ** 2 / freedom))
        between = float(np.sum(w * (t - centre) ** 2) / (size - 1))
        statistic = between / (1 + 2 * (size - 2) * lam / (size**2 - 1))
        df_denominator = (size**2 - 1) / (3 * lam)
        p_value = float(stats.f.sf(statistic, size - 1, df_denominator))
    return pd.DataFrame({"target": [target], "test": ["welch"], "n_groups": [size],
                         "df": [max(size - 1, 0)], "df_denominator": [df_denominator],
                         "statistic": [statistic], "p_value": [p_value]})


def compare_with_district(results: pd.DataFrame, target: str = "overall", by: By = DEFAULT_BY,
                          alpha: float = 0.05, district_label: object = DISTRICT,
                          min_respondents: int = MIN_RESPONDENTS,
                          weights: pd.DataFrame | None = None) -> pd.DataFrame:
    r"""Which groups' index differs from the district figure beyond chance (METHODOLOGY §4).

    Two-sided t-test of :math:`T_h - T_d`, where the district estimate includes group h.
    With the groups as independent strata and :math:`T_d \approx \sum_k w_k T_k`
    (:math:`w_k` the shares of :mod:`analysis.district`: answers, or dossiers),

    .. math:: \operatorname{Var}(T_h - T_d) = (1-w_h)^2 V_h + \sum_{k\ne h} w_k^2 V_k
              = (1 - 2w_h)\,V_h + V_d ,

    using floored variances (:func:`analysis.district.floored_variance`: a unit where
    everyone was satisfied is not exact) and the district variance :math:`V_d` of the result
    table. The statistic is referred to Student's t with Satterthwaite's degrees of freedom
    of the two parts, each part's from the groups' effective degrees of freedom, so that the
    test keeps its size for small groups.

    Only groups with at least ``min_respondents`` respondents behind the index are tested;
    the others are never flagged (``eligible`` False, shown "chưa đủ mẫu để so sánh"). The
    p-values of the tested groups are Holm-adjusted (:func:`holm`) and a group is flagged
    when its adjusted p-value is at most ``alpha``.

    Parameters
    ----------
    results : DataFrame
        Result table of :func:`analysis.compute_results` with the district rows.
    target : str
        ``"overall"`` (headline), ``"overall:<method>"``, ``"element:<code>"`` or
        ``"criterion:<item>"``.
    alpha : float
        Family-wise error rate.
    min_respondents : int
        Fewest respondents behind a group's index for it to be compared (30 by default).
    weights : DataFrame, optional
        ``[*by, "weight"]`` when the district row is dossier-weighted.

    Returns
    -------
    DataFrame
        ``[*by, "target", "index", "district_index", "difference", "se_difference", "df",
        "statistic", "p_value", "p_holm", "eligible", "differs", "direction"]``;
        ``difference`` and ``se_difference`` in percentage points; ``direction`` is
        ``"above"``, ``"below"`` or ``""``.
    """
    columns = by_columns(by)
    groups, district = _target_rows(results, target, by, district_label)
    index = groups["index"].to_numpy(float)
    n = groups["n"].to_numpy(float)
    m = groups["n_respondents"].to_numpy(float)
    defined = ~np.isnan(index) & (n > 0)
    if weights is None:
        amount = np.where(defined, n, 0.0)
    else:
        merged = groups[columns].merge(weights[[*columns, "weight"]], on=columns, how="left")
        amount = np.where(defined, merged["weight"].fillna(0).to_numpy(float), 0.0)
    share = amount / amount.sum() if amount.sum() > 0 else amount
    t_d = float(district["index"]) / 100
    null = _null_variance(index / 100, groups["floored"].to_numpy(float), m, t_d)
    null = np.where(defined, np.nan_to_num(null), 0.0)
    district_parts = share**2 * null
    own = (1 - share) ** 2 * null
    others = district_parts.sum() - district_parts
    freedom = np.maximum(np.nan_to_num(groups["df"].to_numpy(float), nan=1.0), 1.0)
    others_df = _others_df(district_parts, freedom)
    difference = index - 100 * t_d
    se = 100 * np.sqrt(np.maximum(own + others, 0))
    eligible = defined & (m >= min_respondents)
    with np.errstate(divide="ignore", invalid="ignore"):
        df = np.nan_to_num((own + others) ** 2 / (own**2 / freedom + others**2 / others_df),
                           nan=1.0)
        statistic = np.where(se > 0, difference / se, np.nan)
    p_value = np.where(eligible, 2 * stats.t.sf(np.abs(statistic), np.maximum(df, 1.0)),
                       np.nan)
    p_holm = holm(p_value)
    differs = (p_holm <= alpha) & eligible
    direction = np.where(differs, np.where(difference > 0, "above", "below"), "")
    table = {column: groups[column].to_numpy() for column in columns}
    table.update(target=target, index=index, district_index=100 * t_d, difference=difference,
                 se_difference=se, df=df, statistic=statistic, p_value=p_value,
                 p_holm=p_holm, eligible=eligible, differs=differs, direction=direction)
    return pd.DataFrame(table)


def _null_variance(t: np.ndarray, floored: np.ndarray, m: np.ndarray, t_d: float
                   ) -> np.ndarray:
    r"""Each group's variance if its index were the district's: the score form of the test.

    :math:`V_{h,0} = T_d(1-T_d)/n_{eff,h}` with the group's effective sample size
    :math:`n_{eff,h} = T_h(1-T_h)/V_h` from its floored variance (the m respondents at 0 or
    100%), so the design effect is the group's own but the binomial part is taken under
    the null hypothesis: a group near 100% is not given a smaller variance than the
    district's for that reason alone.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where((t > 0) & (t < 1) & (floored > 0), t * (1 - t) / floored, m)
        return np.where(n_eff > 0, t_d * (1 - t_d) / n_eff, np.nan)


def _others_df(parts: np.ndarray, freedom: np.ndarray) -> np.ndarray:
    """Satterthwaite degrees of freedom of the district parts of every group but each one."""
    rest = parts.sum() - parts
    rest_sq = np.maximum((parts**2 / freedom).sum() - parts**2 / freedom, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(rest_sq > 0, rest**2 / rest_sq, 1.0)
