"""Indices and mean scores against hand computation (METHODOLOGY §3)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import (
    DISTRICT,
    criterion_indices,
    element_indices,
    overall_indices,
    pool_groups,
    round_half_up,
)


def _row(table: pd.DataFrame, **keys: object) -> pd.Series:
    mask = np.logical_and.reduce([table[k] == v for k, v in keys.items()])
    assert mask.sum() == 1, keys
    return table.loc[mask].iloc[0]


def test_criterion_indices_by_hand(small_counts, small_structure):
    table = criterion_indices(small_counts, small_structure)
    # Unit A, a1: values 5,5,5,4,2 → s = 4 of n = 5 → 80%; mean (15 + 4 + 2)/5 = 4.2
    a1 = _row(table, unit="A", item="a1")
    assert (a1["n"], a1["s"]) == (5, 4)
    assert a1["index"] == pytest.approx(80.0)
    assert a1["mean_score"] == pytest.approx(4.2)
    # Unit A, a2: 4,4,3,3 → 2/4 = 50%; mean 14/4 = 3.5
    assert _row(table, unit="A", item="a2")["index"] == pytest.approx(50.0)
    assert _row(table, unit="A", item="a2")["mean_score"] == pytest.approx(3.5)
    # Unit A, b1: 1,5 → 50%; mean 3
    assert _row(table, unit="A", item="b1")["index"] == pytest.approx(50.0)
    # Unit B, b1: 3,2 → 0 of 2 satisfied: a defined 0%, not undefined
    assert _row(table, unit="B", item="b1")["index"] == 0.0
    assert _row(table, unit="B", item="b1")["mean_score"] == pytest.approx(2.5)


def test_undefined_criterion_is_nan_never_zero(small_counts, small_structure):
    table = criterion_indices(small_counts, small_structure)
    # Unit B never answered a2 (n = 0): listed, with index, interval and mean undefined
    a2 = _row(table, unit="B", item="a2")
    assert a2["n"] == 0
    assert math.isnan(a2["index"]) and math.isnan(a2["mean_score"])
    assert math.isnan(a2["ci_low"]) and math.isnan(a2["ci_high"])
    assert len(table) == 6  # 2 units × 3 items, questionnaire order kept
    assert list(table["item"][:3]) == ["a1", "a2", "b1"]


def test_element_indices_by_hand(small_counts, small_structure):
    table = element_indices(small_counts, small_structure)
    # A, x: mean of 80 and 50 = 65; mean score (21 + 14)/9 = 3.888…
    x = _row(table, unit="A", element="x")
    assert x["index"] == pytest.approx(65.0)
    assert x["mean_score"] == pytest.approx(35 / 9)
    assert (x["n"], x["n_items"], x["n_items_defined"]) == (9, 2, 2)
    # B, x: a2 undefined, so E = P(a1) = 100 (not (100 + 0)/2)
    assert _row(table, unit="B", element="x")["index"] == pytest.approx(100.0)
    assert _row(table, unit="B", element="x")["n_items_defined"] == 1
    # B, y: 0%
    assert _row(table, unit="B", element="y")["index"] == 0.0


def test_overall_both_methods_by_hand(small_counts, small_structure):
    table = overall_indices(small_counts, small_structure)
    # A: mean of elements (65 + 50)/2 = 57.5; pooled 100·(4+2+1)/(5+4+2) = 700/11
    assert _row(table, unit="A", method="mean-of-elements")["index"] == pytest.approx(57.5)
    assert _row(table, unit="A", method="pooled")["index"] == pytest.approx(700 / 11)
    # A: mean scores — mean of element means (35/9 + 3)/2; pooled (21 + 14 + 6)/11
    assert _row(table, unit="A", method="mean-of-elements")["mean_score"] == pytest.approx(
        (35 / 9 + 3) / 2)
    assert _row(table, unit="A", method="pooled")["mean_score"] == pytest.approx(41 / 11)
    # B: (100 + 0)/2 = 50; pooled 100·2/4 = 50
    assert _row(table, unit="B", method="mean-of-elements")["index"] == pytest.approx(50.0)
    assert _row(table, unit="B", method="pooled")["index"] == pytest.approx(50.0)
    assert _row(table, unit="B", method="pooled")["n"] == 4


def test_undefined_element_leaves_the_overall_mean(small_structure):
    # Only b1 answered: element x undefined, overall = mean of the defined elements = 100
    counts = pd.DataFrame({"unit": ["C"], "item": ["b1"], "value": [4], "count": [3]})
    elements = element_indices(counts, small_structure)
    assert math.isnan(_row(elements, element="x")["index"])
    overall = overall_indices(counts, small_structure)
    assert _row(overall, method="mean-of-elements")["index"] == pytest.approx(100.0)
    assert _row(overall, method="pooled")["index"] == pytest.approx(100.0)
    # built from 1 of the 2 elements: every report says so (elements_used / elements_total)
    assert (overall["n_elements"] == 1).all()


def test_mean_of_criteria_by_hand(small_counts, small_structure):
    # METHODOLOGY §3, mean-of-criteria: the plain mean of the defined criterion indices.
    # Unit A: P = 80, 50, 50 → 60 (pooled 700/11 = 63.64, mean of elements 57.5);
    # unit B: a1 = 100 (2 answers), a2 undefined, b1 = 0 → 50.
    overall = overall_indices(small_counts, small_structure)
    assert _row(overall, unit="A", method="mean-of-criteria")["index"] == pytest.approx(60.0)
    assert _row(overall, unit="A", method="mean-of-elements")["index"] == pytest.approx(57.5)
    assert _row(overall, unit="B", method="mean-of-criteria")["index"] == pytest.approx(50.0)
    # mean score: mean of the item mean scores, A: (4.2 + 3.5 + 3.0)/3
    assert _row(overall, unit="A", method="mean-of-criteria")["mean_score"] == pytest.approx(
        (4.2 + 3.5 + 3.0) / 3)
    assert (overall["n_elements"] == 2).all()


def test_group_without_answers_is_undefined(small_counts, small_structure):
    extra = pd.DataFrame({"unit": ["Z"]})
    overall = overall_indices(small_counts, small_structure, groups=extra)
    z = overall.loc[overall["unit"] == "Z"]
    assert len(z) == 3 and z["index"].isna().all() and (z["n"] == 0).all()
    assert (z["n_elements"] == 0).all()


def test_district_row_pools_the_counts(small_counts, small_structure):
    pooled = pool_groups(small_counts)
    assert set(pooled["unit"]) == {DISTRICT}
    criteria = criterion_indices(pooled, small_structure)
    # a1: A 5,5,5,4,2 + B 4,4 → 6 of 7; a2: 2 of 4; b1: 1,5,3,2 → 1 of 4
    assert list(criteria["index"]) == pytest.approx([600 / 7, 50.0, 25.0])
    overall = overall_indices(pooled, small_structure)
    # mean of elements: ((600/7 + 50)/2 + 25)/2 = 325/7; pooled 100·9/15 = 60
    assert _row(overall, method="mean-of-elements")["index"] == pytest.approx(325 / 7)
    assert _row(overall, method="pooled")["index"] == pytest.approx(60.0)


def test_national_2024_aggregation_check():
    # METHODOLOGY §3: the national 2024 SIPAS 83.94 is the item-weighted (pooled) mean of the
    # policy part (23 items, 83.84) and the service part (16 items, 84.09):
    # (23·83.84 + 16·84.09)/39 = 3273.76/39 = 83.9425… → 83.94; the plain mean of the two
    # parts is (83.84 + 84.09)/2 = 83.965 → 83.97 (half-up).
    structure = {f"cs{k}": "chinh_sach" for k in range(1, 24)}
    structure |= {f"dv{k}": "dich_vu" for k in range(1, 17)}
    rows = []
    for item, element in structure.items():
        satisfied = 8384 if element == "chinh_sach" else 8409  # of 10,000 answers per item
        rows += [("vn", item, 5, satisfied), ("vn", item, 2, 10_000 - satisfied)]
    counts = pd.DataFrame(rows, columns=["unit", "item", "value", "count"])
    overall = overall_indices(counts, structure)
    pooled = _row(overall, method="pooled")["index"]
    plain = _row(overall, method="mean-of-elements")["index"]
    assert pooled == pytest.approx((23 * 83.84 + 16 * 84.09) / 39)
    assert round_half_up(pooled) == 83.94
    assert round_half_up(plain) == 83.97


def test_items_outside_the_instrument_are_ignored(small_counts, small_structure):
    extra = pd.DataFrame({"unit": ["A"], "item": ["expectation1"], "value": [4], "count": [9]})
    with_extra = pd.concat([small_counts, extra], ignore_index=True)
    pd.testing.assert_frame_equal(overall_indices(with_extra, small_structure),
                                  overall_indices(small_counts, small_structure))


@pytest.mark.parametrize(("column", "value"), [("value", 0), ("value", 6), ("count", 0),
                                               ("count", 1.5)])
def test_bad_count_tables_are_refused(small_counts, small_structure, column, value):
    bad = small_counts.astype({"value": float, "count": float})
    bad.loc[0, column] = value
    with pytest.raises(ValueError):
        criterion_indices(bad, small_structure)


def test_several_group_columns(small_counts, small_structure):
    counts = small_counts.assign(field="dat_dai")
    table = overall_indices(counts, small_structure, by=["unit", "field"])
    assert list(table.columns[:2]) == ["unit", "field"]
    assert _row(table, unit="A", method="pooled")["index"] == pytest.approx(700 / 11)


def test_missing_group_value_is_its_own_group(small_counts, small_structure):
    # A NULL field from SQL (unanswered profile question) stays a group, not dropped
    counts = small_counts.assign(field=np.where(small_counts["unit"] == "A", "dat_dai", None))
    table = overall_indices(counts, small_structure, by="field")
    assert table["field"].isna().sum() == 3  # one row per method
    pooled = table.loc[table["field"].isna() & (table["method"] == "pooled"), "index"]
    assert float(pooled.iloc[0]) == pytest.approx(50.0)


def test_shipped_instrument_structure(sipas_2640):
    counts = pd.DataFrame({"unit": "u1", "item": [i.code for i in sipas_2640.rating_items],
                           "value": 5, "count": 2})
    elements = element_indices(counts, sipas_2640)
    assert list(elements["element"]) == ["tc", "tt", "cc", "kq", "pa"]
    assert list(elements["n_items"]) == [4, 5, 6, 3, 4]
    assert (elements["index"] == 100).all()
