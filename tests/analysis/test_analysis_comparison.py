"""Holm adjustment, Rao–Scott chi-square and unit-vs-district tests (METHODOLOGY §4)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.oneway import anova_oneway

from analysis import DISTRICT, compare_with_district, floored_variance, holm, units_differ


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


def _results(variance_a: float = 0.0064, variance_b: float = 0.0072,
             respondents: int = 40) -> pd.DataFrame:
    # Unit A: 80 of 100 answers satisfied, B: 60 of 100; district 140/200 = 70%.
    # Design effects: d_A = 0.0064/(0.8·0.2/100) = 4, d_B = 0.0072/(0.6·0.4/100) = 3; the
    # Agresti–Coull floor is below both variances (A: n_eff = 25, V_AC = 0.00632).
    return pd.DataFrame({
        "unit": ["A", "B", DISTRICT],
        "target": "overall:pooled",
        "n": [100, 100, 200], "n_respondents": [respondents, respondents, 2 * respondents],
        "index": [80.0, 60.0, 70.0], "df": [respondents - 1, respondents - 1, np.nan],
        "variance": [variance_a, variance_b, 0.25 * variance_a + 0.25 * variance_b]})


def test_rao_scott_by_hand():
    test = units_differ(_results()).iloc[0]
    # Pearson X² = (100·0.1² + 100·0.1²)/(0.7·0.3) = 2/0.21 = 9.5238; independent check
    # with scipy's contingency-table chi-square on [[80, 20], [60, 40]].
    naive = stats.chi2_contingency([[80, 20], [60, 40]], correction=False)
    assert test["statistic_uncorrected"] == pytest.approx(2 / 0.21)
    assert test["statistic_uncorrected"] == pytest.approx(naive.statistic)
    assert test["p_value_uncorrected"] == pytest.approx(naive.pvalue)
    # δ = [(1 − ½)·4 + (1 − ½)·3]/(2 − 1) = 3.5 → X²_RS = 9.5238/3.5 = 2.7211, df = 1;
    # with one df, p = 2·(1 − Φ(√2.7211)) = 0.0990
    assert test["test"] == "rao-scott"
    assert test["mean_deff"] == pytest.approx(3.5)
    assert test["statistic"] == pytest.approx(2 / 0.21 / 3.5)
    assert test["p_value"] == pytest.approx(2 * stats.norm.sf(np.sqrt(2 / 0.21 / 3.5)))
    assert test["df"] == 1 and test["n_groups"] == 2


def test_rao_scott_without_clustering_is_pearson():
    # 55% and 45% of 100 answers with the binomial variance (d_h = 1; the Agresti–Coull
    # floor 0.0024 stays below 0.002475): X²_RS = X².
    srs = _results(0.55 * 0.45 / 100, 0.45 * 0.55 / 100).assign(index=[55.0, 45.0, 50.0])
    test = units_differ(srs).iloc[0]
    assert test["mean_deff"] == pytest.approx(1.0)
    assert test["p_value"] == pytest.approx(test["p_value_uncorrected"])


def test_welch_test_of_a_mean_headline_matches_statsmodels():
    # The campaign's own headline (here a mean of elements) is tested with Welch's
    # heteroscedastic one-way test. Independent implementation: statsmodels 0.15
    # anova_oneway(use_var="unequal") on respondent-level values whose group means,
    # variances of the mean s²/n and n − 1 degrees of freedom are given to units_differ.
    rng = np.random.default_rng(3)
    samples = [np.clip(rng.normal(mean, 0.3, size), 0, 1)
               for mean, size in ((0.45, 40), (0.55, 60), (0.5, 90))]
    results = pd.DataFrame({
        "unit": ["A", "B", "C", DISTRICT], "target": "overall:mean-of-elements",
        "n": [10 * len(x) for x in samples] + [0], "n_respondents": [len(x) for x in samples]
        + [190], "index": [100 * x.mean() for x in samples] + [50.0],
        "variance": [x.var(ddof=1) / len(x) for x in samples] + [np.nan],
        "df": [len(x) - 1 for x in samples] + [np.nan]})
    test = units_differ(results, "overall:mean-of-elements").iloc[0]
    expected = anova_oneway(samples, use_var="unequal")
    assert test["test"] == "welch"
    assert test["statistic"] == pytest.approx(expected.statistic, rel=1e-9)
    assert test["df_denominator"] == pytest.approx(expected.df[1], rel=1e-9)
    assert test["p_value"] == pytest.approx(expected.pvalue, rel=1e-9)


def _symmetric() -> pd.DataFrame:
    # A: 60% with V = 0.0048 (n_eff = 50), B: 40% alike, 40 respondents and 39 df each;
    # district 50%. Floors (V_AC = 0.00448) do not bind.
    return pd.DataFrame({
        "unit": ["A", "B", DISTRICT], "target": "overall:pooled", "n": [100, 100, 200],
        "n_respondents": [40, 40, 80], "index": [60.0, 40.0, 50.0], "df": [39, 39, np.nan],
        "variance": [0.0048, 0.0048, 0.0024]})


def test_compare_with_district_by_hand():
    table = compare_with_district(_symmetric(), target="overall:pooled")
    # Score form: under the null each unit's variance is taken at the district's 50% with
    # its own effective size, V_0 = 0.25/50 = 0.005. Var(T_A − T_d) = (1 − ½)²·0.005 +
    # (½)²·0.005 = 0.0025 → se = 5 points, t = 10/5 = 2 with Satterthwaite's df
    # 0.0025²/(0.00125²/39 + 0.00125²/39) = 78: p = 2·t.sf(2, 78) = 0.0490 for A and B;
    # Holm: 2·0.0490 = 0.098 for both → no flag.
    assert list(table["difference"]) == pytest.approx([10.0, -10.0])
    assert list(table["se_difference"]) == pytest.approx([5.0, 5.0])
    assert list(table["df"]) == pytest.approx([78.0, 78.0])
    p = 2 * stats.t.sf(2.0, 78)
    assert list(table["p_value"]) == pytest.approx([p, p])
    assert list(table["p_holm"]) == pytest.approx([2 * p, 2 * p])
    assert table["eligible"].all()
    assert not table["differs"].any() and list(table["direction"]) == ["", ""]


def test_compare_flags_a_clear_difference():
    results = _results(0.0004, 0.0004)  # much more precise units
    table = compare_with_district(results, target="overall:pooled")
    assert table["differs"].all()
    assert list(table["direction"]) == ["above", "below"]


def test_a_small_unit_at_100_percent_is_not_exact_and_never_flagged():
    # Two respondents, both satisfied with everything: V = 0. Treated as exact this unit
    # was "above the district" with p ≈ 1e-27. Its variance is floored (Agresti–Coull on
    # the 2 respondents: 0.0378) and, with fewer than 30 respondents, it is not tested.
    table = pd.concat([_results(0.0004, 0.0004), pd.DataFrame({
        "unit": ["tiny"], "target": "overall:pooled", "n": [44], "n_respondents": [2],
        "index": [100.0], "df": [1.0], "variance": [0.0]})], ignore_index=True)
    flags = compare_with_district(table, target="overall:pooled").set_index("unit")
    assert not flags.loc["tiny", "eligible"] and not flags.loc["tiny", "differs"]
    assert np.isnan(flags.loc["tiny", "p_value"])
    # the two large units are still compared, with Holm over 2 tests, not 3
    assert flags.loc["A", "p_holm"] == pytest.approx(2 * flags.loc["A", "p_value"])
    # even when allowed, the floored variance keeps it from looking exact
    allowed = compare_with_district(table, target="overall:pooled", min_respondents=1)
    assert allowed.set_index("unit").loc["tiny", "p_value"] > 0.05


def test_floored_variance_by_hand():
    # 2 respondents at 100%: n_eff = m = 2, ñ = 2 + 1.96² = 5.8415,
    # p̃ = (2 + 1.9207)/5.8415 = 0.67117, V = p̃(1 − p̃)/ñ = 0.037779.
    z2 = stats.norm.ppf(0.975) ** 2
    p_tilde = (2 + z2 / 2) / (2 + z2)
    floored = floored_variance(pd.Series([100.0, 50.0]), pd.Series([0.0, 0.01]),
                               pd.Series([2, 40]))
    assert floored[0] == pytest.approx(p_tilde * (1 - p_tilde) / (2 + z2))
    assert floored[0] == pytest.approx(0.03778, abs=1e-5)
    assert floored[1] == pytest.approx(0.01)  # 0.25/(25 + 3.84) = 0.0087 < 0.01: kept


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
        "index": [np.nan], "df": [np.nan], "variance": [np.nan]})], ignore_index=True)
    table = compare_with_district(results, target="overall:pooled").set_index("unit")
    assert np.isnan(table.loc["C", "p_value"]) and not table.loc["C", "differs"]
    assert table.loc["A", "p_holm"] == pytest.approx(2 * table.loc["A", "p_value"])
    assert units_differ(results)["n_groups"].iloc[0] == 2


def test_missing_district_row_is_an_error():
    with pytest.raises(ValueError, match="district"):
        compare_with_district(_results().iloc[:2], target="overall:pooled")
