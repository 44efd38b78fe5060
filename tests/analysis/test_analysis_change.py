"""Year-over-year change (METHODOLOGY §4)."""

from __future__ import annotations

import pandas as pd
import pytest

import questionnaires
from analysis import change_from_previous, same_instrument, wilson_interval


def _table(unit_rows: list[tuple[str, int, int]]) -> pd.DataFrame:
    rows = []
    for unit, s, n in unit_rows:
        low, high = wilson_interval(s, n)
        rows.append((unit, "criterion:cc1", 100 * s / n, 100 * float(low), 100 * float(high)))
    return pd.DataFrame(rows, columns=["unit", "target", "index", "ci_low", "ci_high"])


def test_change_matches_newcombe_and_flags(sipas_2640):
    # Newcombe (1998, Stat Med 17:873), Table II, method 10: 56/70 − 48/80 → 0.0524 to 0.3339;
    # 9/10 − 3/10 would be significant too; 5/56 − 0/29 → −0.0381 to 0.1926 (no change)
    current = _table([("a", 56, 70), ("b", 5, 56), ("c", 10, 10)])
    previous = _table([("a", 48, 80), ("b", 0, 29)])
    table = change_from_previous(current, previous, sipas_2640, sipas_2640).set_index("unit")
    assert "c" not in table.index  # no previous figure
    assert table.loc["a", "change"] == pytest.approx(20.0)
    assert (table.loc["a", "ci_low"], table.loc["a", "ci_high"]) == pytest.approx(
        (5.24, 33.39), abs=0.005)
    assert table.loc["a", "changed"] and table.loc["a", "direction"] == "up"
    assert (table.loc["b", "ci_low"], table.loc["b", "ci_high"]) == pytest.approx(
        (-3.81, 19.26), abs=0.005)
    assert not table.loc["b", "changed"] and table.loc["b", "direction"] == ""


def test_decline_and_target_filter(sipas_2640):
    current, previous = _table([("a", 48, 80)]), _table([("a", 56, 70)])
    table = change_from_previous(current, previous, sipas_2640, sipas_2640,
                                 targets=["criterion:cc1"])
    assert table["direction"].iloc[0] == "down"
    assert change_from_previous(current, previous, sipas_2640, sipas_2640,
                                targets=["overall"]).empty


def test_only_the_same_instrument_compares(sipas_2640):
    sipas_1001 = questionnaires.shipped_instruments()["sipas-1001-dvhcc"]
    assert not same_instrument(sipas_2640, sipas_1001)
    assert same_instrument(sipas_2640, sipas_2640.element_of())
    table = _table([("a", 5, 10)])
    with pytest.raises(ValueError, match="same instrument"):
        change_from_previous(table, table, sipas_2640, sipas_1001)
