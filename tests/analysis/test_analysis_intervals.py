"""Interval methods against published worked examples (METHODOLOGY §4)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis import effective_wilson_interval, mover_difference, wilson_interval

# Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion:
# comparison of seven methods. Stat Med 17:857–872, Table I, method 3 (Wilson score,
# no continuity correction). Same values as statsmodels
# proportion_confint(count, nobs, method="wilson").
NEWCOMBE_1998_TABLE_I = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]

# Newcombe, R. G. (1998). Interval estimation for the difference between independent
# proportions: comparison of eleven methods. Stat Med 17:873–890, Table II, method 10
# (hybrid score interval from Wilson limits = MOVER).
NEWCOMBE_1998_TABLE_II = [
    (56, 70, 48, 80, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.1705, 0.8090),
    (6, 7, 2, 7, 0.0582, 0.8062),
    (5, 56, 0, 29, -0.0381, 0.1926),
    (0, 10, 0, 20, -0.1611, 0.2775),
    (0, 10, 0, 10, -0.2775, 0.2775),
    (10, 10, 0, 20, 0.6791, 1.0000),
    (10, 10, 0, 10, 0.6075, 1.0000),
]


@pytest.mark.parametrize(("s", "n", "low", "high"), NEWCOMBE_1998_TABLE_I)
def test_wilson_matches_newcombe_table_i(s, n, low, high):
    computed_low, computed_high = wilson_interval(s, n)
    assert float(computed_low) == pytest.approx(low, abs=5e-5)
    assert float(computed_high) == pytest.approx(high, abs=5e-5)


@pytest.mark.parametrize(("s1", "n1", "s2", "n2", "low", "high"), NEWCOMBE_1998_TABLE_II)
def test_mover_matches_newcombe_method_10(s1, n1, s2, n2, low, high):
    l1, u1 = wilson_interval(s1, n1)
    l2, u2 = wilson_interval(s2, n2)
    computed_low, computed_high = mover_difference(s1 / n1, l1, u1, s2 / n2, l2, u2)
    assert float(computed_low) == pytest.approx(low, abs=5e-5)
    assert float(computed_high) == pytest.approx(high, abs=5e-5)


def test_wilson_is_vectorised_and_undefined_at_n_zero():
    low, high = wilson_interval(np.array([0, 3, 0]), np.array([0, 3, 5]))
    assert np.isnan(low[0]) and np.isnan(high[0])
    assert high[1] == 1.0 and low[2] == 0.0


@given(st.integers(0, 500), st.integers(1, 500))
def test_wilson_contains_the_estimate(s, n):
    s = min(s, n)
    low, high = wilson_interval(s, n)
    assert 0 <= low <= s / n <= high <= 1


def test_effective_wilson_reduces_to_wilson_without_design_effect():
    # One item, every respondent answers once: V = p(1-p)/n gives n_eff = n. With a very
    # large m the t quantile is z, so the interval is Wilson's (81/263 from Table I).
    p = 81 / 263
    low, high = effective_wilson_interval(p, p * (1 - p) / 263, 10**9)
    assert float(low) == pytest.approx(0.2553, abs=5e-5)
    assert float(high) == pytest.approx(0.3662, abs=5e-5)


def test_effective_wilson_uses_t_with_m_minus_1_degrees_of_freedom():
    # Wilson depends on z and n only through z²/n, so using t(29) on n_eff equals Wilson
    # with z on n_eff·(z/t)² — checked against the Wilson formula written with t itself.
    p, variance, m = 0.9, 0.0009, 30  # n_eff = 0.09/0.0009 = 100
    t = 2.045229642132703  # scipy.stats.t.ppf(0.975, 29)
    n = 100
    centre = (p + t * t / (2 * n)) / (1 + t * t / n)
    half = t * np.sqrt(p * (1 - p) / n + t * t / (4 * n * n)) / (1 + t * t / n)
    low, high = effective_wilson_interval(p, variance, m)
    assert float(low) == pytest.approx(centre - half, rel=1e-9)
    assert float(high) == pytest.approx(centre + half, rel=1e-9)


def test_effective_wilson_at_100_percent_uses_the_respondents():
    # T = 1 gives V = 0: the interval is Wilson's for m successes of m (t with m - 1 df)
    low, high = effective_wilson_interval(1.0, 0.0, 40)
    assert float(high) == 1.0
    assert 0.85 < float(low) < 0.95
    nan_low, _ = effective_wilson_interval(np.nan, 0.0, 40)
    none_low, _ = effective_wilson_interval(0.8, np.nan, 0)
    assert np.isnan(nan_low) and np.isnan(none_low)
