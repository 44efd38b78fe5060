r"""The district row: all groups together (METHODOLOGY §3) with its uncertainty (§4).

With ``respondent`` weighting (the default) the district index is computed like any
group's, from the count table summed over groups; with ``dossier`` weighting it is the
mean of the groups' indices weighted by their dossier counts N. Either way its variance
combines the groups' linearised variances, treating the groups as independent strata
(different respondents):

.. math:: \hat V_d = \sum_h w_h^2\,\hat V_h, \qquad w_h = n_h / \sum_k n_k
          \ \text{(respondent)} \quad\text{or}\quad N_h / \sum_k N_k\ \text{(dossier)},

where :math:`n_h` is the number of valid answers of group h to the target's items. For
the pooled index with respondent weighting this is exact to first order, since
:math:`R_d = \sum_h w_h R_h`; for the weighted mean it is exact. For element and
mean-of-elements indices it holds to first order when the groups' shares of answers are
similar across items; the simulation in tests/analysis checks its coverage. No group's
variance enters as zero (:func:`floored_variance`), and the degrees of freedom come from
Satterthwaite's rule over the groups (:func:`satterthwaite_df`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._structure import DISTRICT, By, by_columns
from .intervals import normal_quantile


def is_district(table: pd.DataFrame, by: By, label: object = DISTRICT) -> pd.Series:
    """Boolean mask of the rows whose every group column holds the district label."""
    columns = by_columns(by)
    return table[columns].eq(label).all(axis=1)


def floored_variance(index: pd.Series, variance: pd.Series, n_respondents: pd.Series,
                     confidence: float = 0.95) -> pd.Series:
    r"""A variance that is never zero: at least the Agresti–Coull variance on n_eff.

    An estimated variance of 0 (every respondent satisfied) does not make an index exact.
    With :math:`n_{eff} = T(1-T)/\hat V` (or the m respondents where :math:`\hat V` is 0 or
    unknown), the Agresti–Coull adjusted proportion and its variance are

    .. math:: \tilde n = n_{eff} + z^2,\quad \tilde p = (T\,n_{eff} + z^2/2)/\tilde n,
              \quad V_{AC} = \tilde p(1-\tilde p)/\tilde n ,

    and the variance used by comparisons and the district row is
    :math:`\max(\hat V, V_{AC})`. A unit of 2 respondents at 100% gets
    :math:`V_{AC} = 0.0378` (a standard error of 19 points), not 0.

    References
    ----------
    Agresti, A. & Coull, B. A. (1998). Approximate is better than "exact" for interval
    estimation of binomial proportions. Am Stat 52:119–126.
    """
    values = np.asarray(index, dtype=float)
    t = values / 100
    v = np.asarray(variance, dtype=float)
    m = np.asarray(n_respondents, dtype=float)
    z2 = normal_quantile(confidence) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(v > 0, t * (1 - t) / v, m)
        n_tilde = n_eff + z2
        p_tilde = (t * n_eff + z2 / 2) / n_tilde
        adjusted = p_tilde * (1 - p_tilde) / n_tilde
    floored = np.where(~np.isnan(t) & (m > 0), np.maximum(np.nan_to_num(v), adjusted), np.nan)
    return pd.Series(floored, index=getattr(index, "index", None), dtype="float64")


def satterthwaite_df(parts: pd.Series, df: pd.Series) -> float:
    r"""Degrees of freedom of a sum of variance components: :math:`(\sum V_k)^2/\sum V_k^2/\nu_k`.

    Components with undefined degrees of freedom count with 1 (the most cautious).

    References
    ----------
    Satterthwaite, F. E. (1946). Biometrics Bulletin 2:110–114.
    """
    parts = pd.to_numeric(parts).astype("float64")
    freedom = pd.to_numeric(df).astype("float64").fillna(1.0).clip(lower=1.0)
    denominator = float((parts**2 / freedom).sum())
    if denominator <= 0:
        return float(max(freedom.max() if len(freedom) else 1.0, 1.0))
    return float(parts.sum() ** 2 / denominator)


def shares(groups: pd.DataFrame, keys: Sequence[str], weights: pd.Series | None = None
           ) -> pd.Series:
    """Each defined group's share of its district: answers n, or dossier weights."""
    amount = groups["n"] if weights is None else weights
    return amount / amount.groupby([groups[k] for k in keys], dropna=False).transform("sum")


def combined_variance(groups: pd.DataFrame, by: By, within: Sequence[str] = (),
                      weights: pd.DataFrame | None = None) -> pd.DataFrame:
    r"""District variance per target from the groups' rows.

    Parameters
    ----------
    groups : DataFrame
        Group rows with ``[*by, "target", "n", "n_respondents", "index", "variance"]`` and
        optionally ``"df"`` (effective degrees of freedom; ``m - 1`` when absent).
    by : str or list of str
        Group columns.
    within : sequence of str
        Columns identifying separate districts (none: all rows form one district), e.g.
        to treat many simulated districts at once.
    weights : DataFrame, optional
        ``[*by, "weight"]``: dossier weighting (groups weighted by N); groups with weight
        0 or no weight drop out. None: respondent weighting (shares of answers).

    Returns
    -------
    DataFrame
        ``[*within, "target", "variance", "n_respondents", "df", "n_groups"]`` with
        :math:`\hat V_d = \sum_h w_h^2 \hat V_h` over groups with a defined index (floored
        variances), the total number of respondents :math:`\sum_h m_h` and Satterthwaite's
        degrees of freedom.
    """
    columns = by_columns(by)
    keys = [*within, "target"]
    defined = with_weights(groups.loc[groups["index"].notna() & (groups["n"] > 0)], columns,
                           weights)
    variance = floored_variance(defined["index"], defined["variance"],
                                defined["n_respondents"])
    freedom = defined["df"] if "df" in defined else defined["n_respondents"] - 1
    share = shares(defined, keys, None if weights is None else defined["weight"])
    part = share**2 * variance
    parts = defined.assign(part=part, part_sq=part**2 / freedom.fillna(1.0).clip(lower=1.0))
    table = parts.groupby(keys, sort=False, dropna=False).agg(
        variance=("part", lambda x: x.sum(min_count=len(x))), part_sq=("part_sq", "sum"),
        n_respondents=("n_respondents", "sum"), n_groups=("n", "size")).reset_index()
    # Satterthwaite (1946): (Σ V_k)² / Σ V_k²/ν_k over the groups' parts.
    table["df"] = (table["variance"] ** 2 / table["part_sq"].where(table["part_sq"] > 0)
                   ).fillna(1.0).clip(lower=1.0)
    return table.drop(columns="part_sq")


def with_weights(groups: pd.DataFrame, columns: Sequence[str],
                 weights: pd.DataFrame | None) -> pd.DataFrame:
    """Group rows with their dossier ``weight`` (rows without a positive one dropped)."""
    if weights is None:
        return groups
    merged = groups.merge(weights[[*columns, "weight"]], on=list(columns), how="left")
    return merged.loc[merged["weight"] > 0]
