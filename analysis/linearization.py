r"""Respondent-level linearisation of element and overall indices in two database passes.

METHODOLOGY §4: an element or overall index averages correlated answers of the same
people, so its variance is estimated with the respondent as the unit. Each statistic
:math:`T` of a group (a fraction) is a smooth function of the item totals
:math:`s_i, n_i`; its linearised (influence) value for respondent :math:`r` is

.. math:: z_r = \sum_i c_i\,(y_{ri} - p_i\,a_{ri}), \qquad \sum_r z_r = 0,

with :math:`y_{ri} = 1` if r answered item i with a satisfied value (4, 5),
:math:`a_{ri} = 1` if r answered item i with 1..5, and

- element e: :math:`c_i = 1/(|D_e|\,n_i)`, :math:`p_i = s_i/n_i` for :math:`i\in D_e`;
- ``overall:mean-of-elements``: the element weights divided by :math:`|F|`, the number
  of defined elements;
- ``overall:pooled``: :math:`c_i = 1/\sum_j n_j`, :math:`p_i = R = \sum_j s_j/\sum_j n_j`;
- ``overall:mean-of-criteria``: :math:`c_i = 1/(|D|\,n_i)`, :math:`p_i = s_i/n_i` over the
  defined items D.

Pass 1 (database) gives the count table; :func:`linearization_weights` turns it into the
weights table ``[*by, "target", "item", "c", "p"]``. Pass 2 (database) joins each valid
answer to its weights, sums per respondent to get :math:`z_r` and returns, per group and
target, ``sum_z2`` :math:`=\sum_r z_r^2`, ``sum_z4`` :math:`=\sum_r z_r^4` and
``n_respondents`` :math:`m` (respondents with at least one answer 1..5 to an item of the
target). Then, treating the group's respondents as a with-replacement sample (Wolter 2007,
§6.11; Woodruff 1971),

.. math:: \hat V(T) = \frac{m}{m-1}\sum_r z_r^2 ,

with the effective degrees of freedom of :func:`effective_df` from the fourth moments.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._structure import DEFAULT_BY, By, StructureLike, by_columns, item_totals, structure_of
from .indices import METHODS, element_indices, overall_indices
from .intervals import logit_t_interval

#: Target of an element index in weights/moments tables: ``element:<code>``.
ELEMENT_PREFIX = "element:"
#: Targets of the two overall indices.
OVERALL_TARGETS = tuple(f"overall:{method}" for method in METHODS)

WEIGHT_COLUMNS = ("target", "item", "c", "p")
MOMENT_COLUMNS = ("target", "sum_z2", "sum_z4", "n_respondents")


def linearization_weights(counts: pd.DataFrame, instrument: StructureLike,
                          by: By = DEFAULT_BY) -> pd.DataFrame:
    """Weights table for pass 2 of the linearised variance (METHODOLOGY §4).

    Parameters
    ----------
    counts : DataFrame
        Count table ``[*by, "item", "value", "count"]`` (pass 1).
    instrument : Instrument or mapping item → element
    by : str or list of str

    Returns
    -------
    DataFrame
        ``[*by, "target", "item", "c", "p"]`` with one row per defined item of each
        target: ``element:<code>`` for every defined element and ``overall:<method>`` for
        every method. Items with no valid answer have no row (they do not enter
        the statistic). See the module docstring for ``c`` and ``p``.
    """
    columns = by_columns(by)
    totals = item_totals(counts, structure_of(instrument), by)
    defined = totals.loc[totals["n"] > 0].copy()
    defined["p"] = defined["s"] / defined["n"]
    element_keys = [*columns, "element"]
    defined["items_defined"] = defined.groupby(element_keys, dropna=False)["item"].transform("size")
    defined["c"] = 1.0 / (defined["items_defined"] * defined["n"])
    elements = defined.assign(target=ELEMENT_PREFIX + defined["element"])

    elements_defined = defined.groupby(columns, dropna=False)["element"].transform("nunique")
    mean_of_elements = defined.assign(target=OVERALL_TARGETS[0],
                                      c=defined["c"] / elements_defined)

    group = defined.groupby(columns, dropna=False)
    total_n = group["n"].transform("sum")
    pooled = defined.assign(target=OVERALL_TARGETS[1], c=1.0 / total_n,
                            p=group["s"].transform("sum") / total_n)
    items_defined = group["item"].transform("size")
    mean_of_criteria = defined.assign(target=OVERALL_TARGETS[2],
                                      c=1.0 / (items_defined * defined["n"]))

    table = pd.concat([elements, mean_of_elements, pooled, mean_of_criteria],
                      ignore_index=True)
    return table[[*columns, *WEIGHT_COLUMNS]].reset_index(drop=True)


def effective_df(sum_z2: pd.Series, sum_z4: pd.Series, m: pd.Series) -> pd.Series:
    r"""Effective degrees of freedom of a linearised variance (Satterthwaite).

    :math:`\hat V \propto \sum_r z_r^2` is a sum of independent terms of unequal sizes;
    Satterthwaite's approximation gives it :math:`\nu = (\sum_r \sigma_r^2)^2 / \sum_r
    \sigma_r^4` degrees of freedom, estimated with :math:`E z^4 = 3\sigma^4` (normal) by

    .. math:: \hat\nu = \min\Bigl(m - 1,\ 3\,\bigl(\textstyle\sum_r z_r^2\bigr)^2 \big/
              \textstyle\sum_r z_r^4\Bigr),

    which is :math:`m - 1` when all respondents weigh alike and falls towards 1 when a few
    respondents carry the variance — the few dissatisfied people of an index near 100%.
    NaN when :math:`m < 2`; :math:`m - 1` when every :math:`z_r = 0`.

    References
    ----------
    Satterthwaite, F. E. (1946). An approximate distribution of estimates of variance
    components. Biometrics Bulletin 2:110–114. Johnson, E. G. & Rust, K. F. (1992).
    Population inferences and variance estimation for NAEP data. J Educ Stat 17:175–190
    (effective degrees of freedom of a variance from its components' squares; they refine
    the normal factor 3 for few components).
    """
    m = pd.to_numeric(m).astype("float64")
    sum_z2 = pd.to_numeric(sum_z2).astype("float64")
    sum_z4 = pd.to_numeric(sum_z4).astype("float64")
    spread = (3 * sum_z2**2 / sum_z4.where(sum_z4 > 0)).fillna(m - 1)
    return np.minimum(m - 1, spread).where(m >= 2)


def linearized_variances(moments: pd.DataFrame, by: By = DEFAULT_BY) -> pd.DataFrame:
    r"""Variance of each (group, target) statistic from the pass-2 moments.

    .. math:: \hat V = \frac{m}{m-1}\sum_r z_r^2 \quad (m \ge 2; \text{NaN otherwise})

    Parameters
    ----------
    moments : DataFrame
        ``[*by, "target", "sum_z2", "sum_z4", "n_respondents"]`` from pass 2.

    Returns
    -------
    DataFrame
        ``[*by, "target", "n_respondents", "variance", "df"]`` (variance of the fraction and
        its effective degrees of freedom, :func:`effective_df`).
    """
    columns = by_columns(by)
    missing = [c for c in (*columns, *MOMENT_COLUMNS) if c not in moments.columns]
    if missing:
        raise ValueError(f"moments table lacks column(s) {missing}")
    m = pd.to_numeric(moments["n_respondents"]).astype("float64")
    sum_z2 = pd.to_numeric(moments["sum_z2"]).astype("float64")
    sum_z4 = pd.to_numeric(moments["sum_z4"]).astype("float64")
    if (sum_z2 < 0).any() or (sum_z4 < 0).any() or (m < 0).any():
        raise ValueError("moments table holds negative sums or counts")
    variance = (m / (m - 1)).where(m >= 2) * sum_z2
    return moments[[*columns, "target"]].assign(n_respondents=m.astype("int64"),
                                                 variance=variance,
                                                 df=effective_df(sum_z2, sum_z4, m))


def index_estimates(counts: pd.DataFrame, instrument: StructureLike, by: By = DEFAULT_BY,
                    groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """Element and overall indices of every group in the long ``target`` layout.

    Returns
    -------
    DataFrame
        ``[*by, "target", "level", "code", "n", "index", "mean_score", "n_elements"]`` where
        ``level`` is ``"element"`` or ``"overall"``, ``code`` the element code or the method
        and ``n_elements`` the number of elements with data behind the index.
    """
    columns = by_columns(by)
    elements = element_indices(counts, instrument, by, groups)
    elements = elements.assign(target=ELEMENT_PREFIX + elements["element"], level="element",
                               code=elements["element"],
                               n_elements=elements["index"].notna().astype("int64"))
    overall = overall_indices(counts, instrument, by, groups)
    overall = overall.assign(target="overall:" + overall["method"], level="overall",
                             code=overall["method"])
    keep = [*columns, "target", "level", "code", "n", "index", "mean_score", "n_elements"]
    return pd.concat([elements[keep], overall[keep]], ignore_index=True)


def linearized_intervals(counts: pd.DataFrame, moments: pd.DataFrame,
                         instrument: StructureLike, by: By = DEFAULT_BY,
                         confidence: float = 0.95, groups: pd.DataFrame | None = None
                         ) -> pd.DataFrame:
    r"""Element and overall indices with respondent-level confidence intervals.

    The interval is the logit-scale t interval of
    :func:`analysis.intervals.logit_t_interval` with the linearised variance and its
    effective degrees of freedom: it stays within 0–100% and is asymmetric near the edges.
    With :math:`\hat V = 0` (e.g. T = 100%) or m < 2 it is the Jeffreys interval on the m
    respondents. Validated by simulation (tests/analysis/test_analysis_coverage.py;
    docs/analysis.md).

    Parameters
    ----------
    counts : DataFrame
        Count table (pass 1).
    moments : DataFrame
        Moments table ``[*by, "target", "sum_z2", "sum_z4", "n_respondents"]`` (pass 2).
    instrument : Instrument or mapping item → element
    by : str or list of str
    confidence : float
    groups : DataFrame, optional
        Extra group keys to list even without answers.

    Returns
    -------
    DataFrame
        ``[*by, "target", "level", "code", "n", "n_respondents", "index", "ci_low",
        "ci_high", "se", "variance", "df", "mean_score", "n_elements"]``; indices, bounds and
        ``se`` in percent, ``variance`` of the fraction, ``df`` its effective degrees of
        freedom. A target without moments has NaN bounds.
    """
    columns = by_columns(by)
    estimates = index_estimates(counts, instrument, by, groups)
    variances = linearized_variances(moments, by)
    table = estimates.merge(variances, on=[*columns, "target"], how="left")
    table["n_respondents"] = table["n_respondents"].fillna(0).astype("int64")
    low, high = logit_t_interval(table["index"] / 100, table["variance"], table["df"],
                                 table["n_respondents"], confidence)
    table = table.assign(ci_low=100 * low, ci_high=100 * high,
                         se=100 * np.sqrt(table["variance"]))
    return table[[*columns, "target", "level", "code", "n", "n_respondents", "index", "ci_low",
                  "ci_high", "se", "variance", "df", "mean_score", "n_elements"]]
