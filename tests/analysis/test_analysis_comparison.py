"""Holm adjustment, Rao–Scott chi-square and unit-vs-district tests (METHODOLOGY §4)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from analysis import DISTRICT, compare_with_district, holm, units_differ


def test_holm_hand_worked_example():
    # p sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → max(0.06, 0.04)
    # back in the original order: [0.03, 0.06, 0.06, 0.02]
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_holm_ignores_undefined_and_caps_at_one():
    adjusted = holm([0.5, np.nan, 0.02])
    assert np.isnan(adjusted[1])
    assert adjusted[[0, 2]] == pytest.approx([0.5, 0.04])  # m = 2, not 3
    assert holm([0.6, 0.7]) == pytest.approx([1.0, 1.0])
    with pytest.raises(ValueError):
        holm([1.2])


@given(st.lists(st.floats(0, 1), min_size=1, max_size=30))
def test_holm_properties(p_values):
    p = np.array(p_values)
    adjusted = holm(p)
    assert np.all(adjusted >= p - 1e-15) and np.all(adjusted <= 1)
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(adjusted[order]) >= -1e-15)  # monotone in the raw p-values


def _results(variance_a: float = 0.0032, variance_b: float = 0.0072) -> pd.DataFrame:
    # Unit A: 80 of 100 answers satisfied, B: 60 of 100; district 140/200 = 70%.
    # Design effects: d_A = 0.0032/(0.8·0.2/100) = 2, d_B = 0.0072/(0.6·0.4/100) = 3.
    # District variance Σ w²V = 0.25·0.0032 + 0.25·0.0072 = 0.0026.
    return pd.DataFrame({
        "unit": ["A", "B", DISTRICT],
        "target": "overall:pooled",
        "n": [100, 100, 200], "n_respondents": [20, 20, 40],
        "index": [80.0, 60.0, 70.0],
        "variance": [variance_a, variance_b, 0.25 * variance_a + 0.25 * variance_b]})


def test_rao_scott_by_hand():
    test = units_differ(_results()).iloc[0]
    # Pearson X² = (100·0.1² + 100·0.1²)/(0.7·0.3) = 2/0.21 = 9.5238; independent check
    # with scipy's contingency-table chi-square on [[80, 20], [60, 40]].
    naive = stats.chi2_contingency([[80, 20], [60, 40]], correction=False)
    assert test["statistic"] == pytest.approx(2 / 0.21)
    assert test["statistic"] == pytest.approx(naive.statistic)
    assert test["p_value_uncorrected"] == pytest.approx(naive.pvalue)
    # δ = [(1 − ½)·2 + (1 − ½)·3]/(2 − 1) = 2.5 → X²_RS = 9.5238/2.5 = 3.8095, df = 1;
    # with one df, p = 2·(1 − Φ(√3.8095)) = 0.0510
    assert test["mean_deff"] == pytest.approx(2.5)
    assert test["statistic_corrected"] == pytest.approx(2 / 0.21 / 2.5)
    assert test["p_value"] == pytest.approx(2 * stats.norm.sf(np.sqrt(2 / 0.21 / 2.5)))
    assert test["df"] == 1 and test["n_groups"] == 2


def test_rao_scott_without_clustering_is_pearson():
    srs = _results(0.8 * 0.2 / 100, 0.6 * 0.4 / 100)  # d_h = 1
    test = units_differ(srs).iloc[0]
    assert test["mean_deff"] == pytest.approx(1.0)
    assert test["p_value"] == pytest.approx(test["p_value_uncorrected"])


def test_compare_with_district_by_hand():
    table = compare_with_district(_results(), target="overall:pooled")
    # Var(T_A − T_d) = (1 − 2·½)·V_A + V_d = 0.0026 → se = 5.099 points, z = 10/5.099 = 1.961
    # two-sided p = 0.0499 for A and for B; Holm: 2·0.0499 = 0.0997 for both → no flag
    se = 100 * np.sqrt(0.0026)
    assert list(table["difference"]) == pytest.approx([10.0, -10.0])
    assert list(table["se_difference"]) == pytest.approx([se, se])
    p = 2 * stats.norm.sf(10 / se)
    assert list(table["p_value"]) == pytest.approx([p, p])
    assert list(table["p_holm"]) == pytest.approx([2 * p, 2 * p])
    assert not table["differs"].any() and list(table["direction"]) == ["", ""]


def test_compare_flags_a_clear_difference():
    results = _results(0.0004, 0.0004)  # much more precise units
    table = compare_with_district(results, target="overall:pooled")
    assert table["differs"].all()
    assert list(table["direction"]) == ["above", "below"]


@given(st.lists(st.tuples(st.integers(1, 500), st.floats(1e-5, 1e-2)), min_size=2,
                max_size=8))
def test_difference_variance_identity(groups):
    # (1 − 2w_h)V_h + Σ_k w_k²V_k = (1 − w_h)²V_h + Σ_{k≠h} w_k²V_k
    n = np.array([g[0] for g in groups], float)
    v = np.array([g[1] for g in groups])
    w = n / n.sum()
    v_d = np.sum(w**2 * v)
    for h in range(len(groups)):
        others = np.sum(np.delete(w**2 * v, h))
        assert (1 - 2 * w[h]) * v[h] + v_d == pytest.approx((1 - w[h]) ** 2 * v[h] + others)


def test_undefined_unit_is_not_tested():
    results = pd.concat([_results(), pd.DataFrame({
        "unit": ["C"], "target": "overall:pooled", "n": [0], "n_respondents": [0],
        "index": [np.nan], "variance": [np.nan]})], ignore_index=True)
    table = compare_with_district(results, target="overall:pooled").set_index("unit")
    assert np.isnan(table.loc["C", "p_value"]) and not table.loc["C", "differs"]
    assert table.loc["A", "p_holm"] == pytest.approx(2 * table.loc["A", "p_value"])
    assert units_differ(results)["n_groups"].iloc[0] == 2


def test_missing_district_row_is_an_error():
    with pytest.raises(ValueError, match="district"):
        compare_with_district(_results().iloc[:2], target="overall:pooled")
