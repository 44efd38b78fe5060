"""Required sample size per unit and whether it was reached (METHODOLOGY §5)."""

from __future__ import annotations

import math
from fractions import Fraction

import pandas as pd

from ._structure import DEFAULT_BY, By, by_columns, require_columns

#: Status label of a unit below its required sample (METHODOLOGY §5).
SAMPLE_SHORT = "chưa đủ mẫu"
SAMPLE_OK = "đủ mẫu"
SAMPLE_UNKNOWN = "chưa xác định"


def yamane(population: int, margin: float = 0.05) -> int:
    r"""Yamane's sample size :math:`n = \lceil N / (1 + N e^2) \rceil` (METHODOLOGY §5).

    Computed in exact rational arithmetic so that whole results are not pushed up by
    float noise (0.05² is 0.0025000000000000005 in binary).

    Parameters
    ----------
    population : int
        N, the dossiers the unit handled in the period (≥ 0).
    margin : float
        e, the margin of error (0.05 by default).

    References
    ----------
    Yamane, T. (1967). Statistics: An Introductory Analysis, 2nd ed., p. 886; as taught
    in the Ministry of Home Affairs' SIPAS training material.

    Examples
    --------
    >>> yamane(1000), yamane(300)
    (286, 172)
    """
    if isinstance(population, bool) or int(population) != population or population < 0:
        raise ValueError("population must be a non-negative whole number")
    if not 0 < margin < 1:
        raise ValueError("margin must lie strictly between 0 and 1")
    n = Fraction(int(population))
    e = Fraction(str(margin))
    return math.ceil(n / (1 + n * e * e))


def sample_status(respondents: pd.DataFrame, dossiers: pd.DataFrame | None = None,
                  targets: pd.DataFrame | None = None, by: By = DEFAULT_BY,
                  margin: float = 0.05) -> pd.DataFrame:
    """Required sample per group and whether the valid responses reach it (METHODOLOGY §5).

    The required size is the group's fixed target when one is set, otherwise Yamane's
    size for its number of dossiers. A group below it is marked "chưa đủ mẫu".

    Parameters
    ----------
    respondents : DataFrame
        ``[*by, "n_respondents"]``: valid responses per group.
    dossiers : DataFrame, optional
        ``[*by, "n_dossiers"]``: N per group (NaN when not entered).
    targets : DataFrame, optional
        ``[*by, "target"]``: fixed sample target overriding Yamane (NaN: none).
    by : str or list of str
    margin : float
        Yamane's e.

    Returns
    -------
    DataFrame
        ``[*by, "n_respondents", "n_dossiers", "required", "source", "sample_ok",
        "status"]``; ``source`` is ``"target"``, ``"yamane"`` or ``""``; ``sample_ok`` is a
        nullable boolean, missing when no requirement is known.
    """
    columns = by_columns(by)
    require_columns(respondents, [*columns, "n_respondents"], "respondent table")
    table = respondents[[*columns, "n_respondents"]].copy()
    for extra, column in ((dossiers, "n_dossiers"), (targets, "target")):
        if extra is None:
            table[column] = pd.Series(pd.NA, index=table.index, dtype="Float64")
        else:
            require_columns(extra, [*columns, column], f"{column} table")
            table = table.merge(extra[[*columns, column]], on=columns, how="left")
    dossier_counts = pd.to_numeric(table["n_dossiers"]).astype("Float64")
    fixed = pd.to_numeric(table.pop("target")).astype("Float64")
    from_yamane = dossier_counts.map(lambda n: yamane(int(n), margin) if pd.notna(n) else pd.NA)
    required = fixed.where(fixed.notna(), from_yamane.astype("Float64")).astype("Int64")
    source = pd.Series("", index=table.index).mask(from_yamane.notna(), "yamane")
    source = source.mask(fixed.notna(), "target")
    sample_ok = (table["n_respondents"] >= required).astype("boolean")
    status = sample_ok.map({True: SAMPLE_OK, False: SAMPLE_SHORT}).fillna(SAMPLE_UNKNOWN)
    return table.assign(n_dossiers=dossier_counts.astype("Int64"), required=required,
                        source=source, sample_ok=sample_ok, status=status.astype(str))
