"""Change against the previous campaign (METHODOLOGY §4, year-over-year change)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from questionnaires import Instrument

from ._structure import DEFAULT_BY, By, StructureLike, by_columns, require_columns, structure_of
from .intervals import mover_difference

KEY_COLUMNS = ("index", "ci_low", "ci_high")


def same_instrument(current: StructureLike, previous: StructureLike) -> bool:
    """Whether two campaigns' instruments allow comparison: same code, same items/elements."""
    if isinstance(current, Instrument) and isinstance(previous, Instrument) \
            and current.code != previous.code:
        return False
    return dict(structure_of(current).element_of) == dict(structure_of(previous).element_of)


def change_from_previous(current: pd.DataFrame, previous: pd.DataFrame,
                         current_instrument: StructureLike, previous_instrument: StructureLike,
                         by: By = DEFAULT_BY, targets: Sequence[str] | None = None
                         ) -> pd.DataFrame:
    r"""Difference of indices between two campaigns with a 95% interval and a flag.

    The two campaigns are independent samples of respondents, so the interval of
    :math:`d = T_{now} - T_{before}` is built from the two intervals by MOVER
    (:func:`analysis.intervals.mover_difference`; with Wilson intervals this is Newcombe's
    method 10). Its level is that of the intervals in the result tables (95% by default).
    A change is flagged when the interval excludes 0.

    Parameters
    ----------
    current, previous : DataFrame
        Result tables of :func:`analysis.compute_results` (district rows included or not).
    current_instrument, previous_instrument : Instrument or mapping item → element
        Comparison is refused unless they are the same instrument (same code and the
        same items in the same elements).
    by : str or list of str
    targets : sequence of str, optional
        Targets to compare; all common ones by default.

    Returns
    -------
    DataFrame
        ``[*by, "target", "index", "index_previous", "change", "ci_low", "ci_high",
        "changed", "direction"]`` in percent / percentage points; ``direction`` is
        ``"up"``, ``"down"`` or ``""``. Rows present in only one campaign are left out.

    Raises
    ------
    ValueError
        When the instruments differ.
    """
    if not same_instrument(current_instrument, previous_instrument):
        raise ValueError("year-over-year change needs the same instrument in both campaigns")
    columns = by_columns(by)
    keys = [*columns, "target"]
    for name, table in (("current result table", current), ("previous result table", previous)):
        require_columns(table, [*keys, *KEY_COLUMNS], name)
    joined = current[[*keys, *KEY_COLUMNS]].merge(previous[[*keys, *KEY_COLUMNS]], on=keys,
                                                   how="inner", suffixes=("", "_previous"))
    if targets is not None:
        joined = joined.loc[joined["target"].isin(list(targets))]
    low, high = mover_difference(joined["index"], joined["ci_low"], joined["ci_high"],
                                 joined["index_previous"], joined["ci_low_previous"],
                                 joined["ci_high_previous"])
    changed = (low > 0) | (high < 0)
    change = joined["index"] - joined["index_previous"]
    return joined[keys].assign(
        index=joined["index"], index_previous=joined["index_previous"], change=change,
        ci_low=low, ci_high=high, changed=changed,
        direction=np.where(changed, np.where(change > 0, "up", "down"), ""),
    ).reset_index(drop=True)
