"""Reference implementation of the database passes on respondent-level data (pandas).

The web application computes the count table (pass 1) and the moments table (pass 2)
in SQL; these functions compute exactly the same tables from long answer data, for
notebooks and for tests. The database must produce identical numbers (up to floating
point summation order), so the definitions here are the specification.

Long answer data: ``[respondent, *by, "item", "value"]``, one row per respondent and
item; ``value`` 1..5 is a rating, 0 is "not applicable" (METHODOLOGY §2) and NaN a blank.
Pass only the responses that count (valid and not excluded, METHODOLOGY §3);
:func:`keep_valid_responses` applies the validity rule.
"""

from __future__ import annotations

import pandas as pd

from ._structure import (
    DEFAULT_BY,
    VALID_VALUES,
    By,
    StructureLike,
    by_columns,
    require_columns,
    structure_of,
)
from .sample_size import required_answers


def _rated(answers: pd.DataFrame, instrument: StructureLike, by: By) -> pd.DataFrame:
    """Rows with a rating 1..5 on a rating item of the instrument."""
    require_columns(answers, ["respondent", *by_columns(by), "item", "value"], "answer data")
    structure = structure_of(instrument)
    values = pd.to_numeric(answers["value"], errors="coerce")
    keep = answers["item"].isin(structure.element_of) & values.isin(VALID_VALUES)
    return answers.loc[keep].assign(value=values[keep].astype("int64"))


def keep_valid_responses(answers: pd.DataFrame, instrument: StructureLike,
                         threshold: float = 0.5) -> pd.DataFrame:
    """The answers of valid responses only (METHODOLOGY §3, "phiếu hợp lệ").

    A response is valid when at least ``threshold`` of the instrument's rating items
    were answered 1..5 (half by default; configurable per campaign): see
    :func:`analysis.sample_size.required_answers`, the one definition the web application
    uses too.
    """
    require_columns(answers, ["respondent", "item", "value"], "answer data")
    structure = structure_of(instrument)
    values = pd.to_numeric(answers["value"], errors="coerce")
    rated = answers.loc[answers["item"].isin(structure.element_of) & values.isin(VALID_VALUES)]
    answered = rated.groupby("respondent")["item"].nunique()
    valid = answered.index[answered >= required_answers(len(structure.items), threshold)]
    return answers.loc[answers["respondent"].isin(valid)]


def count_table(answers: pd.DataFrame, instrument: StructureLike, by: By = DEFAULT_BY
                ) -> pd.DataFrame:
    """Pass 1: the count table ``[*by, "item", "value", "count"]``.

    SQL equivalent: ``SELECT <by>, item, value, COUNT(*) AS count FROM answers WHERE value
    BETWEEN 1 AND 5 AND item IN (<rating items>) GROUP BY <by>, item, value``.
    """
    columns = by_columns(by)
    rated = _rated(answers, instrument, by)
    table = rated.groupby([*columns, "item", "value"], dropna=False).size()
    return table.rename("count").reset_index()


def respondent_table(answers: pd.DataFrame, by: By = DEFAULT_BY) -> pd.DataFrame:
    """Valid responses per group: ``[*by, "n_respondents"]`` (distinct respondents)."""
    columns = by_columns(by)
    require_columns(answers, ["respondent", *columns], "answer data")
    table = answers.groupby(columns, dropna=False)["respondent"].nunique()
    return table.rename("n_respondents").reset_index()


def respondent_scores(answers: pd.DataFrame, weights: pd.DataFrame, instrument: StructureLike,
                      by: By = DEFAULT_BY) -> pd.DataFrame:
    r"""Per respondent and target, the linearised value :math:`z_r` (pass 2, first step).

    :math:`z_r = \sum_i c_i (y_{ri} - p_i)` over the respondent's answers 1..5 to items
    that have a weights row for the respondent's group and the target; ``y = 1`` for a
    satisfied value (4, 5), else 0. (Over answered items :math:`a_{ri} = 1`.)

    Returns
    -------
    DataFrame
        ``[*by, "target", "respondent", "z"]``.
    """
    columns = by_columns(by)
    require_columns(weights, [*columns, "target", "item", "c", "p"], "weights table")
    structure = structure_of(instrument)
    rated = _rated(answers, structure, by)
    joined = rated.merge(weights, on=[*columns, "item"], how="inner")
    satisfied = joined["value"].isin(structure.satisfied).astype("float64")
    joined = joined.assign(z=joined["c"] * (satisfied - joined["p"]))
    scores = joined.groupby([*columns, "target", "respondent"], dropna=False)["z"].sum()
    return scores.reset_index()


def moments_table(answers: pd.DataFrame, weights: pd.DataFrame, instrument: StructureLike,
                  by: By = DEFAULT_BY) -> pd.DataFrame:
    r"""Pass 2: the moments table ``[*by, "target", "sum_z2", "sum_z4", "n_respondents"]``.

    ``sum_z2`` :math:`= \sum_r z_r^2` and ``sum_z4`` :math:`= \sum_r z_r^4` over the
    respondents of the group with at least one answer 1..5 to an item of the target, and
    ``n_respondents`` is their number (see :func:`respondent_scores` and docs/analysis.md
    for the SQL).
    """
    columns = by_columns(by)
    scores = respondent_scores(answers, weights, instrument, by)
    scores = scores.assign(z2=scores["z"] ** 2, z4=scores["z"] ** 4)
    grouped = scores.groupby([*columns, "target"], dropna=False)
    table = grouped.agg(sum_z2=("z2", "sum"), sum_z4=("z4", "sum"),
                        n_respondents=("respondent", "size"))
    return table.reset_index()
