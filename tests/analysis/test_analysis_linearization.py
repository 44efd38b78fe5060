"""Weights, moments and linearised variances against hand computation (METHODOLOGY §4)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import (
    count_table,
    keep_valid_responses,
    linearization_weights,
    linearized_intervals,
    linearized_variances,
    moments_table,
    respondent_scores,
    respondent_table,
)
from analysis.intervals import logit_t_interval


def _lookup(table: pd.DataFrame, value: str, **keys: object) -> float:
    mask = np.logical_and.reduce([table[k] == v for k, v in keys.items()])
    assert mask.sum() == 1, keys
    return float(table.loc[mask, value].iloc[0])


def test_reference_count_table_matches_hand_counts(small_answers, small_counts,
                                                   small_structure):
    computed = count_table(small_answers, small_structure)
    expected = small_counts.sort_values(["unit", "item", "value"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(computed.sort_values(["unit", "item", "value"])
                                  .reset_index(drop=True), expected, check_dtype=False)
    respondents = respondent_table(small_answers)
    assert dict(zip(respondents["unit"], respondents["n_respondents"], strict=True)) == {
        "A": 5, "B": 3}


def test_weights_by_hand(small_counts, small_structure):
    weights = linearization_weights(small_counts, small_structure)
    expected = {
        # unit A: n = (5, 4, 2), p = (0.8, 0.5, 0.5), R = 7/11
        ("A", "element:x", "a1"): (1 / 10, 0.8), ("A", "element:x", "a2"): (1 / 8, 0.5),
        ("A", "element:y", "b1"): (1 / 2, 0.5),
        ("A", "overall:mean-of-elements", "a1"): (1 / 20, 0.8),
        ("A", "overall:mean-of-elements", "a2"): (1 / 16, 0.5),
        ("A", "overall:mean-of-elements", "b1"): (1 / 4, 0.5),
        ("A", "overall:pooled", "a1"): (1 / 11, 7 / 11),
        ("A", "overall:pooled", "a2"): (1 / 11, 7 / 11),
        ("A", "overall:pooled", "b1"): (1 / 11, 7 / 11),
        # unit B: a2 has no answer, so no row; n = (2, 2), p = (1, 0), R = 1/2
        ("B", "element:x", "a1"): (1 / 2, 1.0), ("B", "element:y", "b1"): (1 / 2, 0.0),
        ("B", "overall:mean-of-elements", "a1"): (1 / 4, 1.0),
        ("B", "overall:mean-of-elements", "b1"): (1 / 4, 0.0),
        ("B", "overall:pooled", "a1"): (1 / 4, 0.5), ("B", "overall:pooled", "b1"): (1 / 4, 0.5),
        # mean of criteria: c_i = 1/(|D|·n_i) over the defined items D, p_i = P_i
        ("A", "overall:mean-of-criteria", "a1"): (1 / 15, 0.8),
        ("A", "overall:mean-of-criteria", "a2"): (1 / 12, 0.5),
        ("A", "overall:mean-of-criteria", "b1"): (1 / 6, 0.5),
        ("B", "overall:mean-of-criteria", "a1"): (1 / 4, 1.0),
        ("B", "overall:mean-of-criteria", "b1"): (1 / 4, 0.0),
    }
    assert len(weights) == len(expected)
    for (unit, target, item), (c, p) in expected.items():
        assert _lookup(weights, "c", unit=unit, target=target, item=item) == pytest.approx(c)
        assert _lookup(weights, "p", unit=unit, target=target, item=item) == pytest.approx(p)


# Hand computation of z_r = Σ c_i (y_ri − p_i) over r's answers 1..5 (unit A):
#   element x: r1 .1(.2)+.125(.5)=.0825, r2 .02−.0625=−.0425, r3 .0825, r4 −.0425,
#              r5 .1(−.8)=−.08 → Σz = 0, Σz² = .023625
#   element y: r1 .5(−.5)=−.25, r2 .25 → Σz² = .125 (m = 2)
#   mean of elements: (z_x + z_y)/2 → −.08375, .10375, .04125, −.02125, −.04 → .02153125
#   pooled: (Y_r − 7/11·A_r)/11 → 1, 1, 8, −3, −7 (/121) → Σz² = 124/121²,
#           Σz⁴ = (1 + 1 + 4096 + 81 + 2401)/121⁴ = 6580/121⁴
#   mean of criteria: (1/15)(y−.8) + (1/12)(y−.5) + (1/6)(y−.5) →
#           −17, 33, 33, −17, −32 (/600) → Σz² = 3780/600² = .0105
# unit B: x and y have p ∈ {0, 1}, so z = 0; pooled s1 0, s2 1/8, s3 −1/8 → 1/32 (m = 3)
HAND_MOMENTS = {
    ("A", "overall:mean-of-criteria"): (0.0105, 5), ("B", "overall:mean-of-criteria"): (0.0, 3),
    ("A", "element:x"): (0.023625, 5), ("A", "element:y"): (0.125, 2),
    ("A", "overall:mean-of-elements"): (0.02153125, 5),
    ("A", "overall:pooled"): (124 / 121**2, 5),
    ("B", "element:x"): (0.0, 2), ("B", "element:y"): (0.0, 2),
    ("B", "overall:mean-of-elements"): (0.0, 3), ("B", "overall:pooled"): (1 / 32, 3),
}


def test_reference_moments_by_hand(small_answers, small_counts, small_structure):
    weights = linearization_weights(small_counts, small_structure)
    moments = moments_table(small_answers, weights, small_structure)
    assert len(moments) == len(HAND_MOMENTS)
    for (unit, target), (sum_z2, m) in HAND_MOMENTS.items():
        assert _lookup(moments, "sum_z2", unit=unit, target=target) == pytest.approx(sum_z2)
        assert _lookup(moments, "n_respondents", unit=unit, target=target) == m
    assert _lookup(moments, "sum_z4", unit="A", target="overall:pooled") == pytest.approx(
        6580 / 121**4)
    scores = respondent_scores(small_answers, weights, small_structure)
    assert scores.groupby(["unit", "target"])["z"].sum().abs().max() < 1e-12


def test_variance_is_m_over_m_minus_1_sum_z2():
    moments = pd.DataFrame({"unit": ["A", "B", "C"], "target": "overall:pooled",
                            "sum_z2": [124 / 121**2, 0.5, 0.5],
                            "sum_z4": [6580 / 121**4, 0.25, 0.25], "n_respondents": [5, 1, 0]})
    variances = linearized_variances(moments)
    assert variances["variance"][0] == pytest.approx(5 / 4 * 124 / 121**2)
    assert variances["variance"][1:].isna().all()  # m < 2: not estimable
    # 3·(Σz²)²/Σz⁴ = 3·124²/6580 = 7.01 > m − 1 = 4: all five weigh alike enough
    assert variances["df"][0] == pytest.approx(4)
    assert variances["df"][1:].isna().all()


def test_effective_degrees_of_freedom_fall_when_few_respondents_carry_the_variance():
    # Ten respondents, two of them carry all of Σz² (the two dissatisfied people of an
    # index near 100%): 3·(2a²)²/(2a⁴) = 6 < 9; all alike: 3·(10a²)²/(10a⁴) = 30 → m − 1.
    moments = pd.DataFrame({"unit": ["near-100", "alike"], "target": "overall:pooled",
                            "sum_z2": [2.0, 10.0], "sum_z4": [2.0, 10.0],
                            "n_respondents": [10, 10]})
    assert linearized_variances(moments)["df"].tolist() == pytest.approx([6.0, 9.0])


def test_intervals_of_the_small_example(small_answers, small_counts, small_structure):
    weights = linearization_weights(small_counts, small_structure)
    moments = moments_table(small_answers, weights, small_structure)
    table = linearized_intervals(small_counts, moments, small_structure)
    x = table.loc[(table["unit"] == "A") & (table["target"] == "element:x")].iloc[0]
    variance = 5 / 4 * 0.023625
    # z = .0825, −.0425, .0825, −.0425, −.08: Σz⁴ = .00014014, 3·.023625²/Σz⁴ = 11.95 > 4
    low, high = logit_t_interval(0.65, variance, 4, 5)
    assert x["index"] == pytest.approx(65.0)
    assert x["variance"] == pytest.approx(variance)
    assert (x["ci_low"], x["ci_high"]) == pytest.approx((100 * low, 100 * high))
    assert x["ci_low"] < 65 < x["ci_high"]
    # unit B, element x is 100% with V = 0: interval from the 2 respondents, up to 100
    bx = table.loc[(table["unit"] == "B") & (table["target"] == "element:x")].iloc[0]
    assert bx["index"] == 100 and bx["ci_high"] == 100 and bx["ci_low"] < 100


def _random_answers(seed: int, respondents: int, items: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(respondents, 1))
    values = np.clip(np.round(3.6 + latent + rng.normal(0, 0.9, (respondents, items))), 1, 5)
    values[rng.random((respondents, items)) < 0.15] = 0  # not applicable
    return pd.DataFrame({"respondent": np.repeat(np.arange(respondents), items),
                         "unit": "u", "item": np.tile([f"i{k}" for k in range(items)],
                                                      respondents),
                         "value": values.ravel()})


def test_linearisation_agrees_with_the_delete_one_jackknife():
    # Independent check: the delete-one-respondent jackknife variance is asymptotically
    # equal to the linearised one (Wolter 2007, Introduction to Variance Estimation, §4.6).
    structure = {f"i{k}": ("e1" if k < 3 else "e2") for k in range(7)}
    answers = _random_answers(11, 3000, 7)
    counts = count_table(answers, structure)
    moments = moments_table(answers, linearization_weights(counts, structure), structure)
    variances = linearized_variances(moments).set_index("target")["variance"]

    wide = answers.pivot(index="respondent", columns="item", values="value")
    wide = wide[list(structure)]
    a = ((wide >= 1) & (wide <= 5)).to_numpy(float)
    y = (wide >= 4).to_numpy(float)
    s, n, m = y.sum(0), a.sum(0), len(wide)
    p_minus = (s - y) / (n - a)  # criterion fractions without respondent r
    first = [k for k, item in enumerate(structure) if structure[item] == "e1"]
    second = [k for k in range(7) if k not in first]
    statistics = {
        "element:e1": p_minus[:, first].mean(1),
        "overall:mean-of-elements": (p_minus[:, first].mean(1) + p_minus[:, second].mean(1)) / 2,
        "overall:pooled": (s.sum() - y.sum(1)) / (n.sum() - a.sum(1)),
    }
    for target, replicates in statistics.items():
        jackknife = (m - 1) / m * np.sum((replicates - replicates.mean()) ** 2)
        assert variances[target] == pytest.approx(jackknife, rel=0.01), target


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10**6), st.integers(2, 30))
def test_influence_values_sum_to_zero(seed, respondents):
    structure = {f"i{k}": f"e{k % 3}" for k in range(6)}
    answers = _random_answers(seed, respondents, 6)
    counts = count_table(answers, structure)
    weights = linearization_weights(counts, structure)
    scores = respondent_scores(answers, weights, structure)
    assert scores.groupby("target")["z"].sum().abs().max() < 1e-12


def test_valid_responses_need_half_the_items(small_answers, small_structure):
    # s2 answered 1 of 3 items, s3 1 of 3: invalid at the default half; r5 1 of 3 too
    kept = keep_valid_responses(small_answers, small_structure)
    assert sorted(kept["respondent"].unique()) == ["r1", "r2", "r3", "r4", "s1"]
    assert sorted(keep_valid_responses(small_answers, small_structure, 0.3)["respondent"]
                  .unique()) == ["r1", "r2", "r3", "r4", "r5", "s1", "s2", "s3"]
