"""Half-up rounding and Vietnamese number format (METHODOLOGY §3, "Rounding")."""

from __future__ import annotations

import math

import pytest

from analysis import MISSING, format_number, format_percent, round_half_up


@pytest.mark.parametrize(("value", "expected"), [
    (83.945, 83.95),     # half-up, where Python's round() gives 83.94 (binary 83.94499…)
    (83.944999, 83.94),
    (0.125, 0.13),       # round(0.125, 2) == 0.12 (half-to-even)
    (2.675, 2.68),       # round(2.675, 2) == 2.67 (binary 2.67499…)
    (-1.005, -1.01),     # half away from zero
    (100 * 16789 / 20000, 83.95),  # 83.945 reached by arithmetic
    (83.94499999999999, 83.95),    # float noise of an exact 83.945 is absorbed
])
def test_round_half_up(value, expected):
    assert round_half_up(value) == expected


def test_round_half_up_keeps_undefined_and_other_places():
    assert math.isnan(round_half_up(math.nan))
    assert round_half_up(2.5, 0) == 3.0
    assert round_half_up(0.83945, 4) == 0.8395


@pytest.mark.parametrize(("value", "expected"), [
    (83.94, "83,94"), (83.945, "83,95"), (100, "100,00"), (0, "0,00"),
    (1234567.891, "1.234.567,89"), (-3.5, "-3,50"), (-0.001, "0,00"),
    (math.nan, MISSING), (None, MISSING), (math.inf, MISSING),
])
def test_format_number(value, expected):
    assert format_number(value) == expected


def test_format_options_and_percent():
    assert format_number(1234.5, 1, thousands=False) == "1234,5"
    assert format_number(286, 0) == "286"
    assert format_percent(83.94) == "83,94%"
    assert format_percent(83.945) == "83,95%"
    assert format_percent(math.nan) == "—"
