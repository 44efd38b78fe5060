"""Required sample size per unit and whether it was reached (METHODOLOGY §5)."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING

from ._names import DEFAULT_BY, By

if TYPE_CHECKING:
    import pandas as pd

#: Status label of a unit below its required sample (METHODOLOGY §5).
SAMPLE_SHORT = "chưa đủ mẫu"
SAMPLE_OK = "đủ mẫu"
SAMPLE_UNKNOWN = "chưa xác định"
#: A dossier count N that cannot be right (METHODOLOGY §3, response rate): never "đủ mẫu".
DATA_PROBLEM = "số liệu hồ sơ không hợp lý"
PROBLEM_NO_DOSSIERS = "N = 0 nhưng đơn vị có phiếu trả lời"
PROBLEM_MORE_THAN_DOSSIERS = "số phiếu hợp lệ nhiều hơn số hồ sơ N"


def required_answers(n_items: int, threshold: float) -> int:
    r"""Rating items a response must answer 1..5 to be valid (METHODOLOGY §3, phiếu hợp lệ).

    :math:`\lceil \text{threshold} \times n_{items} \rceil`, in exact decimal arithmetic so
    that 0.5 × 22 is 11 (not 12 through binary noise) and 0.3 × 10 is 3.

    Examples
    --------
    >>> required_answers(22, 0.5), required_answers(16, 0.5), required_answers(10, 0.3)
    (11, 8, 3)
    """
    if isinstance(n_items, bool) or int(n_items) != n_items or n_items < 0:
        raise ValueError("n_items must be a non-negative whole number")
    if not 0 < threshold <= 1:
        raise ValueError("threshold must lie in (0, 1]")
    return math.ceil(Fraction(str(threshold)) * int(n_items))


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

    The response rate is n / N. A dossier count that cannot be right — N = 0 although the
    unit has responses, or more valid responses than dossiers — is a data problem: the
    unit is never "đủ mẫu" (``sample_ok`` False, ``status`` "số liệu hồ sơ không hợp lý",
    ``problem`` says which).

    Returns
    -------
    DataFrame
        ``[*by, "n_respondents", "n_dossiers", "required", "source", "sample_ok",
        "status", "response_rate", "problem"]``; ``source`` is ``"target"``, ``"yamane"``
        or ``""``; ``sample_ok`` is a nullable boolean, missing when no requirement is
        known; ``response_rate`` is NaN without a positive N; ``problem`` is ``""`` or the
        data problem in words.
    """
    import pandas as pd  # here: the validity rule above is used at start-up, without pandas

    from ._structure import by_columns, require_columns

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
    n = table["n_respondents"].astype("float64")
    problem = pd.Series("", index=table.index, dtype=object)
    problem = problem.mask((dossier_counts == 0).fillna(False) & (n > 0), PROBLEM_NO_DOSSIERS)
    problem = problem.mask((dossier_counts > 0).fillna(False) & (n > dossier_counts.fillna(0)),
                           PROBLEM_MORE_THAN_DOSSIERS)
    sample_ok = (table["n_respondents"] >= required).astype("boolean")
    sample_ok = sample_ok.mask(problem != "", False)
    status = sample_ok.map({True: SAMPLE_OK, False: SAMPLE_SHORT}).fillna(SAMPLE_UNKNOWN)
    status = status.astype(str).mask(problem != "", DATA_PROBLEM)
    rate = (n / dossier_counts.astype("float64").where(dossier_counts > 0)).astype("float64")
    return table.assign(n_dossiers=dossier_counts.astype("Int64"), required=required,
                        source=source, sample_ok=sample_ok, status=status,
                        response_rate=rate, problem=problem)
