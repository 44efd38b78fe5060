"""Interval methods against published worked examples (METHODOLOGY §4)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from analysis import jeffreys_interval, logit_t_interval, mover_difference, wilson_interval

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


@pytest.mark.parametrize(("s", "n"), [(81, 263), (15, 148), (0, 20), (1, 29), (9, 10),
                                       (10, 10), (29, 30), (95, 100)])
def test_jeffreys_matches_statsmodels(s, n):
    # Independent implementation: statsmodels 0.15, proportion_confint(method="jeffreys")
    # (Brown, Cai & DasGupta 2001, with bounds 0 at s = 0 and 1 at s = n).
    # statsmodels does not apply the convention of bounds 0 at s = 0 and 1 at s = n.
    expected_low, expected_high = proportion_confint(s, n, alpha=0.05, method="jeffreys")
    low, high = jeffreys_interval(s, n)
    assert float(low) == (0.0 if s == 0 else pytest.approx(expected_low, abs=1e-9))
    assert float(high) == (1.0 if s == n else pytest.approx(expected_high, abs=1e-9))


def test_jeffreys_is_vectorised_and_undefined_at_n_zero():
    low, high = jeffreys_interval(np.array([0, 3, 2]), np.array([0, 3, 5]))
    assert np.isnan(low[0]) and np.isnan(high[0])
    assert high[1] == 1.0 and 0 < low[1] < 1 and 0 < low[2] < 0.4 < high[2] < 1


def test_logit_t_interval_by_hand():
    # T = 0.9, V = 0.0009 (se 0.03), 29 degrees of freedom:
    # logit 0.9 = 2.197225; se on the logit scale 0.03 / (0.9 · 0.1) = 1/3;
    # t(0.975, 29) = 2.0452296 → expit(2.1972246 ∓ 0.6817432) = 0.819872, 0.946797.
    low, high = logit_t_interval(0.9, 0.0009, 29, 30)
    assert float(low) == pytest.approx(0.819872, abs=2e-6)
    assert float(high) == pytest.approx(0.946797, abs=2e-6)


def test_logit_t_interval_widens_with_fewer_degrees_of_freedom():
    narrow = np.subtract(*logit_t_interval(0.95, 0.0004, 100, 200)[::-1])
    wide = np.subtract(*logit_t_interval(0.95, 0.0004, 5, 200)[::-1])
    assert wide > narrow * 1.2


def test_logit_t_interval_is_never_zero_width():
    # V = 0 (everyone satisfied) or a single respondent: the Jeffreys interval on the m
    # respondents, as if each person's answers were one observation.
    low, high = logit_t_interval(1.0, 0.0, 39, 40)
    expected = proportion_confint(40, 40, alpha=0.05, method="jeffreys")
    assert float(high) == 1.0 and float(low) == pytest.approx(expected[0], abs=1e-9)
    single_low, single_high = logit_t_interval(0.75, np.nan, np.nan, 1)
    assert 0 < float(single_low) < 0.75 < float(single_high) <= 1
    nan_low, _ = logit_t_interval(np.nan, 0.0, 39, 40)
    none_low, _ = logit_t_interval(0.8, np.nan, np.nan, 0)
    assert np.isnan(nan_low) and np.isnan(none_low)
