"""Simulation checks of the district row and of the tests between units (METHODOLOGY §4).

Many simulated districts go through the real pipeline at once: the group columns are
``["district", "unit"]`` and the district rows are combined per simulated district
(``combined_variance(..., within=["district"])``), exactly as
:func:`analysis.compute_results` does for one district.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import (
    compare_with_district,
    count_table,
    index_estimates,
    linearization_weights,
    linearized_intervals,
    logit_t_interval,
    moments_table,
    units_differ,
)
from analysis.district import combined_variance

UNITS, RESPONDENTS = 4, 30
BY = ["district", "unit"]
HEADLINE = "overall:mean-of-elements"


def district_tables(simulator, answers: pd.DataFrame, targets: list[str] | None = None
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Group rows and district rows (with intervals) of the simulated districts in ``answers``."""
    structure = simulator.instrument
    counts = count_table(answers, structure, BY)
    weights = linearization_weights(counts, structure, BY)
    if targets is not None:
        weights = weights.loc[weights["target"].isin(targets)]
    moments = moments_table(answers, weights, structure, BY)
    groups = linearized_intervals(counts, moments, structure, BY)
    if targets is not None:
        groups = groups.loc[groups["target"].isin(targets)]
    district = index_estimates(count_table(answers, structure, "district"), structure,
                               "district")
    district = district.merge(combined_variance(groups, BY, within=["district"]),
                              on=["district", "target"])
    low, high = logit_t_interval(district["index"] / 100, district["variance"],
                                 district["df"], district["n_respondents"])
    return groups, district.assign(ci_low=100 * low, ci_high=100 * high)


def simulate_districts(simulator, districts: int, shifts: np.ndarray
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Group rows and district rows of ``districts`` districts of UNITS × RESPONDENTS."""
    answers = simulator.draw(districts * UNITS, RESPONDENTS, np.tile(shifts, districts))
    answers["district"] = answers["unit"] // UNITS
    return district_tables(simulator, answers)


def one_district(groups: pd.DataFrame, district: pd.DataFrame, key: int, label: int = -1
                 ) -> pd.DataFrame:
    """The result table of simulated district ``key``, its district row labelled ``label``."""
    own = district.loc[district["district"] == key].assign(unit=label)
    return pd.concat([groups.loc[groups["district"] == key], own], ignore_index=True)


def test_district_intervals_cover_the_truth(survey_simulator):
    # Units differ (effects −0.6…0.6 on the log-odds scale); the district's truth is the
    # statistic of the expected pooled counts: 30 respondents per unit.
    simulator = survey_simulator(2.0, 1.0, 20243)
    shifts = np.array([-0.6, -0.2, 0.2, 0.6])
    _, district = simulate_districts(simulator, 1000, shifts)
    expected = [simulator.expected(shift) for shift in shifts]
    truth = simulator.truth(sum(RESPONDENTS * ay for ay, _ in expected),
                            sum(RESPONDENTS * a for _, a in expected))
    district = district.loc[district["target"].isin(truth)]
    values = district["target"].map(truth)
    covered = (district["ci_low"] <= values) & (values <= district["ci_high"])
    measured = covered.groupby(district["target"]).mean()
    print(f"\ndistrict rows:\n{measured.round(3).to_string()}")
    assert len(measured) == 8  # five elements and the three overall methods
    assert measured.between(0.93, 0.97).all(), measured.to_dict()


def test_tests_between_units_hold_their_level(survey_simulator):
    # Identical units: the Rao–Scott test (pooled) and Welch's test (mean of elements)
    # should reject ~5% of the time where the naive chi-square (answers treated as
    # independent) rejects far more often; Holm-adjusted flags against the district should
    # appear in ~5% of districts at most.
    simulator = survey_simulator(2.0, 1.0, 20244)
    groups, district = simulate_districts(simulator, 300, np.zeros(UNITS))
    rao_scott, welch, naive, flagged = [], [], [], []
    for key in range(300):
        table = one_district(groups, district, key)
        pooled = units_differ(table, "overall:pooled", by="unit", district_label=-1)
        rao_scott.append(pooled["p_value"].iloc[0] < 0.05)
        naive.append(pooled["p_value_uncorrected"].iloc[0] < 0.05)
        welch.append(units_differ(table, HEADLINE, by="unit",
                                  district_label=-1)["p_value"].iloc[0] < 0.05)
        flags = compare_with_district(table, HEADLINE, by="unit", district_label=-1)
        flagged.append(flags["differs"].any())
    rates = {"rao-scott": np.mean(rao_scott), "welch": np.mean(welch),
             "naive": np.mean(naive), "any flag": np.mean(flagged)}
    print(f"\nrejection rates under no difference: {rates}")
    assert 0.02 <= rates["rao-scott"] <= 0.08
    assert 0.02 <= rates["welch"] <= 0.08
    assert rates["naive"] > 0.2
    assert rates["any flag"] <= 0.06


def test_no_unit_is_flagged_by_chance_in_districts_of_mixed_sizes(survey_simulator):
    # METHODOLOGY §4: with no true difference, the family-wise rate of flagging any unit
    # stays ≤ 6% for mixed unit sizes 1..300. 1,000 districts of 8 units whose sizes are
    # drawn log-uniformly from 1..300 (a district has both one-person units and large
    # ones), every unit with the same truth; index near 90% (base log-odds 2.5).
    districts, units = 1000, 8
    simulator = survey_simulator(2.5, 1.0, 20245)
    sizes = np.floor(np.exp(simulator.rng.uniform(0, np.log(301), districts * units)))
    sizes = np.clip(sizes, 1, 300).astype(int)
    any_flag, small_flagged, tested = [], 0, 0
    for start in range(0, districts, 250):  # in chunks, to bound memory
        chunk = sizes[start * units:(start + 250) * units]
        answers = simulator.draw_sizes(chunk)
        answers["district"] = start + answers["unit"] // units
        answers["unit"] += start * units
        groups, district = district_tables(simulator, answers, [HEADLINE])
        for key in range(start, start + 250):
            flags = compare_with_district(one_district(groups, district, key), HEADLINE,
                                          by="unit", district_label=-1)
            any_flag.append(bool(flags["differs"].any()))
            small_flagged += int((flags["differs"] & ~flags["eligible"]).sum())
            tested += int(flags["eligible"].sum())
    rate = float(np.mean(any_flag))
    print(f"\nfamily-wise false-flag rate, mixed sizes 1..300: {rate:.3f} "
          f"({tested} unit tests in {districts} districts)")
    assert small_flagged == 0
    assert tested > 2000  # most districts have several units of 30 or more
    assert rate <= 0.06
