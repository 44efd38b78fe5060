"""The web application's entry point end to end (METHODOLOGY §3–4, §6)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import (
    DISTRICT,
    compare_with_district,
    compute_results,
    compute_weights,
    count_table,
    headline_indices,
    jeffreys_interval,
    moments_table,
    par_points,
    respondent_table,
    units_differ,
)
from analysis.results import RESULT_COLUMNS
from questionnaires import EXAMPLE_SCORING_FILE, load_scoring_rules


@pytest.fixture
def small_results(small_answers, small_counts, small_structure):
    weights = compute_weights(small_counts, small_structure)
    moments = moments_table(small_answers, weights, small_structure)
    respondents = respondent_table(small_answers)
    return compute_results(small_counts, respondents, moments, small_structure)


def _value(results: pd.DataFrame, unit: str, target: str, column: str = "index") -> float:
    rows = results.loc[(results["unit"] == unit) & (results["target"] == target), column]
    assert len(rows) == 1, (unit, target)
    return float(rows.iloc[0])


def test_layout(small_results):
    assert list(small_results.columns) == ["unit", *RESULT_COLUMNS]
    # per group: headline, 3 overall, 2 elements, 3 criteria; units A, B, then the district
    assert len(small_results) == 3 * 9
    assert list(small_results["unit"].unique()) == ["A", "B", DISTRICT]
    assert list(small_results["target"][:9]) == [
        "overall", "overall:mean-of-elements", "overall:pooled", "overall:mean-of-criteria",
        "element:x", "element:y", "criterion:a1", "criterion:a2", "criterion:b1"]
    assert list(small_results["level"][:5]) == ["headline", "overall", "overall", "overall",
                                                 "element"]
    assert list(small_results["element"][4:9]) == ["x", "y", "x", "x", "y"]


def test_values_by_hand(small_results):
    r = small_results
    assert _value(r, "A", "overall") == pytest.approx(57.5)  # headline = mean of elements
    headline = r.loc[(r["unit"] == "A") & (r["target"] == "overall"), "code"]
    assert headline.item() == "mean-of-elements"
    assert _value(r, "A", "overall:pooled") == pytest.approx(700 / 11)
    assert _value(r, "A", "element:x") == pytest.approx(65.0)
    assert _value(r, "A", "element:x", "n_valid") == 5
    assert _value(r, "B", "element:x", "n_valid") == 3
    assert _value(r, DISTRICT, "overall", "n_valid") == 8
    assert _value(r, "A", "element:x", "variance") == pytest.approx(5 / 4 * 0.023625)
    low, high = jeffreys_interval(4, 5)
    assert _value(r, "A", "criterion:a1", "ci_low") == pytest.approx(100 * float(low))
    assert _value(r, "A", "criterion:a1", "ci_high") == pytest.approx(100 * float(high))
    assert np.isnan(_value(r, "B", "criterion:a2"))
    assert _value(r, "B", "criterion:a2", "n") == 0


def test_district_rows(small_results):
    r = small_results
    assert _value(r, DISTRICT, "overall:pooled") == pytest.approx(60.0)
    assert _value(r, DISTRICT, "overall") == pytest.approx(325 / 7)
    # V_d = Σ w²V_h with w = (11/15, 4/15), V_A = 5/4·124/121², V_B = 3/2·1/32
    expected = (11 / 15) ** 2 * 5 / 4 * 124 / 121**2 + (4 / 15) ** 2 * 3 / 2 / 32
    assert _value(r, DISTRICT, "overall:pooled", "variance") == pytest.approx(expected)
    assert _value(r, DISTRICT, "overall:pooled", "n_respondents") == 8
    assert _value(r, DISTRICT, "criterion:a1") == pytest.approx(600 / 7)


def test_dossier_weighting_of_the_district(small_answers, small_counts, small_structure):
    # METHODOLOGY §3, weighting "dossier": every district figure is the mean of the
    # units' figures weighted by their dossier counts N (here A: 100, B: 300), its variance
    # Σ W²V (floored) — a big commune weighs more than a small office.
    moments = moments_table(small_answers, compute_weights(small_counts, small_structure),
                            small_structure)
    weights = pd.DataFrame({"unit": ["A", "B"], "weight": [100, 300]})
    results = compute_results(small_counts, respondent_table(small_answers), moments,
                              small_structure, weights=weights)
    # pooled: A 700/11, B 50 → ¼·63.64 + ¾·50 = 53.41; criterion a1: ¼·80 + ¾·100 = 95
    assert _value(results, DISTRICT, "overall:pooled") == pytest.approx(
        0.25 * 700 / 11 + 0.75 * 50)
    assert _value(results, DISTRICT, "criterion:a1") == pytest.approx(95.0)
    # a2 has no answer in B: the district's a2 is A's alone
    assert _value(results, DISTRICT, "criterion:a2") == pytest.approx(50.0)
    variance = (0.25**2 * 5 / 4 * 124 / 121**2 + 0.75**2 * 3 / 2 / 32)
    assert _value(results, DISTRICT, "overall:pooled", "variance") == pytest.approx(variance)
    low = _value(results, DISTRICT, "overall:pooled", "ci_low")
    assert low < _value(results, DISTRICT, "overall:pooled") < _value(
        results, DISTRICT, "overall:pooled", "ci_high")


def test_pooled_headline_and_bad_method(small_answers, small_counts, small_structure):
    moments = moments_table(small_answers, compute_weights(small_counts, small_structure),
                            small_structure)
    respondents = respondent_table(small_answers)
    results = compute_results(small_counts, respondents, moments, small_structure,
                              method="pooled", district=False)
    assert _value(results, "A", "overall") == pytest.approx(700 / 11)
    assert DISTRICT not in set(results["unit"])
    with pytest.raises(ValueError, match="method"):
        compute_results(small_counts, respondents, moments, small_structure, method="mean")


def test_group_with_respondents_but_no_answers(small_answers, small_counts, small_structure):
    moments = moments_table(small_answers, compute_weights(small_counts, small_structure),
                            small_structure)
    respondents = pd.concat([respondent_table(small_answers),
                             pd.DataFrame({"unit": ["Z"], "n_respondents": [0]})])
    results = compute_results(small_counts, respondents, moments, small_structure)
    z = results.loc[results["unit"] == "Z"]
    assert len(z) == 9 and z["index"].isna().all() and z["ci_low"].isna().all()


def test_cut_by_two_columns(small_answers, small_structure):
    answers = small_answers.assign(channel=np.where(small_answers["respondent"] < "r3", "qr",
                                                    "paper"))
    by = ["unit", "channel"]
    counts = count_table(answers, small_structure, by)
    moments = moments_table(answers, compute_weights(counts, small_structure, by),
                            small_structure, by)
    results = compute_results(counts, respondent_table(answers, by), moments, small_structure,
                              by=by)
    district = results.loc[results["unit"] == DISTRICT]
    assert (district["channel"] == DISTRICT).all()
    pooled = district.loc[district["target"] == "overall:pooled", "index"].iloc[0]
    assert pooled == pytest.approx(60.0)  # the cut changes the groups, not the district


def test_downstream_steps_read_the_result_table(survey_simulator):
    simulator = survey_simulator(2.0, 1.0, 5)
    answers = simulator.draw(6, 60, np.array([-1.0, 0, 0, 0, 0, 1.0]))
    answers["unit"] = "u" + answers["unit"].astype(str)
    instrument = simulator.instrument
    counts = count_table(answers, instrument)
    moments = moments_table(answers, compute_weights(counts, instrument), instrument)
    results = compute_results(counts, respondent_table(answers), moments, instrument)
    assert len(results) == 7 * (1 + 3 + 5 + 22)
    assert (results["ci_low"] <= results["index"]).all()
    assert (results["index"] <= results["ci_high"]).all()
    assert units_differ(results)["p_value"].iloc[0] < 0.05
    flags = compare_with_district(results)
    assert len(flags) == 6 and flags["target"].eq("overall").all()
    points = par_points(results, load_scoring_rules(EXAMPLE_SCORING_FILE))
    assert points["rank"].notna().all()


def _headline(table: pd.DataFrame, unit: object) -> float:
    return float(table.loc[table["unit"] == unit, "index"].item())


def test_headlines_alone_by_hand(small_counts, small_structure):
    # The validity rule needs the headline only (METHODOLOGY §3): the same hand-computed
    # numbers as test_values_by_hand and test_district_rows, from the counts alone.
    table = headline_indices(small_counts, small_structure)
    assert list(table.columns) == ["unit", "index"]
    assert list(table["unit"]) == ["A", "B", DISTRICT]
    assert _headline(table, "A") == pytest.approx(57.5)
    assert _headline(table, DISTRICT) == pytest.approx(325 / 7)
    pooled = headline_indices(small_counts, small_structure, method="pooled")
    assert _headline(pooled, "A") == pytest.approx(700 / 11)
    assert _headline(pooled, "B") == pytest.approx(50.0)
    assert _headline(pooled, DISTRICT) == pytest.approx(60.0)
    # dossier weighting, N = 100 and 300: ¼·700/11 + ¾·50
    weights = pd.DataFrame({"unit": ["A", "B"], "weight": [100, 300]})
    dossier = headline_indices(small_counts, small_structure, method="pooled", weights=weights)
    assert _headline(dossier, DISTRICT) == pytest.approx(0.25 * 700 / 11 + 0.75 * 50)
    alone = headline_indices(small_counts, small_structure, district=False)
    assert DISTRICT not in set(alone["unit"])
    with pytest.raises(ValueError, match="method"):
        headline_indices(small_counts, small_structure, method="mean")


@pytest.mark.parametrize("method", ["mean-of-elements", "pooled", "mean-of-criteria"])
@pytest.mark.parametrize("weighting", ["respondent", "dossier"])
def test_headlines_alone_are_those_of_the_full_results(survey_simulator, method, weighting):
    simulator = survey_simulator(1.5, 1.0, 11)
    answers = simulator.draw(7, 25, np.array([-1.0, 0, 0.5, 0, 0, 1.0, -0.5]))
    answers["unit"] = "u" + answers["unit"].astype(str)
    instrument = simulator.instrument
    counts = count_table(answers, instrument)
    weights = None
    if weighting == "dossier":  # one unit weighs nothing (N = 0)
        units = sorted(counts["unit"].unique())
        weights = pd.DataFrame({"unit": units, "weight": [0, *range(100, 100 * len(units), 100)]})
    moments = moments_table(answers, compute_weights(counts, instrument), instrument)
    full = compute_results(counts, respondent_table(answers), moments, instrument,
                           method=method, weights=weights)
    expected = full.loc[full["target"] == "overall", ["unit", "index"]].reset_index(drop=True)
    found = headline_indices(counts, instrument, method=method, weights=weights)
    assert len(found) == 8
    pd.testing.assert_frame_equal(found, expected, check_dtype=False, rtol=1e-12)


def test_nothing_answered_yet(small_structure):
    # Early in a campaign: no answers at all — every row present and undefined, no error.
    counts = pd.DataFrame({"unit": pd.Series(dtype=str), "item": pd.Series(dtype=str),
                           "value": pd.Series(dtype="int64"), "count": pd.Series(dtype="int64")})
    moments = pd.DataFrame({"unit": pd.Series(dtype=str), "target": pd.Series(dtype=str),
                            "sum_z2": pd.Series(dtype=float), "sum_z4": pd.Series(dtype=float),
                            "n_respondents": pd.Series(dtype="int64")})
    respondents = pd.DataFrame({"unit": ["A"], "n_respondents": [0]})
    results = compute_results(counts, respondents, moments, small_structure)
    assert len(results) == 2 * 9 and results["index"].isna().all()
    assert units_differ(results)["p_value"].isna().all()
    assert not compare_with_district(results)["differs"].any()
