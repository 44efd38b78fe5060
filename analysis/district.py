r"""The district row: all groups pooled (METHODOLOGY §3) with its uncertainty (§4).

The district index is computed like any group's, from the count table summed over
groups. Its variance is combined from the groups' linearised variances, treating the
groups as independent strata (different respondents):

.. math:: \hat V_d = \sum_h w_h^2\,\hat V_h, \qquad w_h = n_h / \sum_k n_k,

where :math:`n_h` is the number of valid answers of group h to the target's items. For
the pooled index this is exact to first order, since :math:`R_d = \sum_h w_h R_h`. For
element and mean-of-elements indices it holds to first order when the groups' shares of
answers are similar across items (differences come only from not-applicable rates
varying by group); the simulation in tests/analysis checks its coverage.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._structure import DISTRICT, By, by_columns


def is_district(table: pd.DataFrame, by: By, label: object = DISTRICT) -> pd.Series:
    """Boolean mask of the rows whose every group column holds the district label."""
    columns = by_columns(by)
    return table[columns].eq(label).all(axis=1)


def fallback_variance(index: pd.Series, variance: pd.Series, n_respondents: pd.Series
                      ) -> pd.Series:
    """Variance with a conservative stand-in where it could not be estimated (m < 2).

    The stand-in :math:`T(1-T)/m` counts each respondent as one observation, as the
    interval does (:func:`analysis.intervals.effective_wilson_interval`).
    """
    t = index / 100
    stand_in = t * (1 - t) / n_respondents.where(n_respondents > 0)
    return variance.where(variance.notna() | index.isna(), stand_in)


def combined_variance(groups: pd.DataFrame, by: By, within: Sequence[str] = ()) -> pd.DataFrame:
    r"""District variance per target from the groups' rows.

    Parameters
    ----------
    groups : DataFrame
        Group rows with ``[*by, "target", "n", "n_respondents", "index", "variance"]``.
    by : str or list of str
        Group columns.
    within : sequence of str
        Columns identifying separate districts (none: all rows form one district), e.g.
        to treat many simulated districts at once.

    Returns
    -------
    DataFrame
        ``[*within, "target", "variance", "n_respondents", "df", "n_groups"]`` with
        :math:`\hat V_d = \sum_h w_h^2 \hat V_h` over groups with a defined index, the
        total number of respondents :math:`\sum_h m_h` and the stratified degrees of
        freedom :math:`\sum_h m_h - H`.
    """
    by_columns(by)
    keys = [*within, "target"]
    defined = groups.loc[groups["index"].notna() & (groups["n"] > 0)]
    variance = fallback_variance(defined["index"], defined["variance"],
                                 defined["n_respondents"])
    share = defined["n"] / defined.groupby(keys, dropna=False)["n"].transform("sum")
    parts = defined.assign(part=share**2 * variance)
    table = parts.groupby(keys, sort=False, dropna=False).agg(
        variance=("part", lambda x: x.sum(min_count=len(x))),
        n_respondents=("n_respondents", "sum"), n_groups=("n", "size")).reset_index()
    table["df"] = np.maximum(table["n_respondents"] - table["n_groups"], 1)
    return table
