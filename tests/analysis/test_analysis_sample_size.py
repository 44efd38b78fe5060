"""Yamane sample size and sample status (METHODOLOGY §5)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis import SAMPLE_OK, SAMPLE_SHORT, sample_status, yamane


@pytest.mark.parametrize(("population", "expected"), [
    (1000, 286),  # METHODOLOGY §5: 1000/(1 + 1000·0.0025) = 285.71 → 286
    (300, 172),   # 300/1.75 = 171.43 → 172
    (400, 200),   # exactly 400/2 = 200 (float 0.05² would give 199.99999999999997)
    (0, 0),
    (1, 1),
])
def test_yamane(population, expected):
    assert yamane(population) == expected


def test_yamane_other_margin():
    assert yamane(1000, 0.1) == 91  # 1000/(1 + 10) = 90.9 → 91


@given(st.integers(0, 10**7))
def test_yamane_bounds(population):
    n = yamane(population)
    assert n <= population and n <= 400  # never more than N, never more than 1/e²
    assert n == math.ceil(population * 400 / (400 + population) - 1e-12)


@pytest.mark.parametrize("bad", [-1, 2.5, True])
def test_yamane_refuses_bad_populations(bad):
    with pytest.raises(ValueError):
        yamane(bad)


def test_sample_status():
    respondents = pd.DataFrame({"unit": ["a", "b", "c", "d"],
                                "n_respondents": [290, 150, 160, 10]})
    dossiers = pd.DataFrame({"unit": ["a", "b", "c"], "n_dossiers": [1000, 1000, 300]})
    targets = pd.DataFrame({"unit": ["b"], "target": [150]})
    table = sample_status(respondents, dossiers, targets).set_index("unit")
    assert list(table["required"]) == [286, 150, 172, pd.NA]
    assert list(table["source"]) == ["yamane", "target", "yamane", ""]
    assert table.loc["a", "sample_ok"] and table.loc["b", "sample_ok"]
    assert not table.loc["c", "sample_ok"] and table.loc["c", "status"] == SAMPLE_SHORT
    assert table.loc["a", "status"] == SAMPLE_OK
    assert pd.isna(table.loc["d", "sample_ok"])


def test_sample_status_without_dossiers():
    respondents = pd.DataFrame({"unit": ["a"], "n_respondents": [5]})
    table = sample_status(respondents)
    assert table["required"].isna().all() and table["sample_ok"].isna().all()
