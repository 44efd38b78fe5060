"""The SQL of both database passes, as printed in docs/analysis.md, against the reference.

Runs on SQLite (standard library); the statements use only portable SQL except the
NULL-safe comparison (``IS`` here, ``IS NOT DISTINCT FROM`` on PostgreSQL).
"""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest

from analysis import count_table, linearization_weights, moments_table, respondent_table

PASS_1_COUNTS = """
SELECT a.unit, a.item, a.value, COUNT(*) AS count
FROM answers AS a
WHERE a.value BETWEEN 1 AND 5 AND a.item IN (SELECT item FROM rating_items)
GROUP BY a.unit, a.item, a.value
"""

PASS_1_RESPONDENTS = """
SELECT a.unit, COUNT(DISTINCT a.respondent) AS n_respondents
FROM answers AS a
GROUP BY a.unit
"""

PASS_2_MOMENTS = """
WITH scores AS (
  SELECT a.unit, w.target, a.respondent,
         SUM(w.c * ((CASE WHEN a.value IN (4, 5) THEN 1.0 ELSE 0.0 END) - w.p)) AS z
  FROM answers AS a
  JOIN weights AS w ON w.unit IS a.unit AND w.item = a.item
  WHERE a.value BETWEEN 1 AND 5
  GROUP BY a.unit, w.target, a.respondent
)
SELECT unit, target, SUM(z * z) AS sum_z2, COUNT(*) AS n_respondents
FROM scores
GROUP BY unit, target
"""

KEYS = ["unit", "target"]


def _database(answers: pd.DataFrame, structure: dict[str, str]) -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    answers.to_sql("answers", connection, index=False)
    pd.DataFrame({"item": list(structure)}).to_sql("rating_items", connection, index=False)
    return connection


def _compare(answers: pd.DataFrame, structure: dict[str, str]) -> None:
    with _database(answers, structure) as connection:
        counts = pd.read_sql_query(PASS_1_COUNTS, connection)
        reference = count_table(answers, structure)
        merged = reference.merge(counts, on=["unit", "item", "value"], how="outer",
                                 suffixes=("", "_sql"))
        assert (merged["count"] == merged["count_sql"]).all()
        respondents = pd.read_sql_query(PASS_1_RESPONDENTS, connection)
        assert respondents["n_respondents"].sum() == respondent_table(answers)[
            "n_respondents"].sum()

        weights = linearization_weights(counts, structure)
        weights.to_sql("weights", connection, index=False)
        moments = pd.read_sql_query(PASS_2_MOMENTS, connection)
    expected = moments_table(answers, weights, structure)
    merged = expected.merge(moments, on=KEYS, how="outer", suffixes=("", "_sql"))
    assert len(merged) == len(expected) == len(moments)
    assert (merged["n_respondents"] == merged["n_respondents_sql"]).all()
    assert np.allclose(merged["sum_z2"], merged["sum_z2_sql"], rtol=1e-10, atol=1e-15)


def test_sql_matches_the_reference_on_the_small_example(small_answers, small_structure):
    _compare(small_answers, small_structure)


def test_sql_matches_the_reference_with_a_null_group(small_answers, small_structure):
    # A cut by a profile column that some respondents left empty: NULL is its own group.
    answers = small_answers.assign(unit=small_answers["unit"].where(
        small_answers["respondent"] != "r1", None))
    _compare(answers, small_structure)


@pytest.mark.parametrize("seed", [1, 2])
def test_sql_matches_the_reference_on_simulated_data(survey_simulator, seed):
    simulator = survey_simulator(1.5, 1.0, seed)
    answers = simulator.draw(5, 40)
    answers["unit"] = "u" + answers["unit"].astype(str)
    answers["respondent"] = answers["respondent"].astype(str)
    _compare(answers, simulator.instrument.element_of())
