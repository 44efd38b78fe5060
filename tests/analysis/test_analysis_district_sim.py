"""Simulation checks of the district row and of the tests between units (METHODOLOGY §4).

Many simulated districts of a few units each go through the real pipeline at once: the
group columns are ``["district", "unit"]`` and the district rows are combined per
simulated district (``combined_variance(..., within=["district"])``), exactly as
:func:`analysis.compute_results` does for one district.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import (
    compare_with_district,
    count_table,
    effective_wilson_interval,
    index_estimates,
    linearization_weights,
    linearized_intervals,
    moments_table,
    units_differ,
)
from analysis.district import combined_variance

UNITS, RESPONDENTS = 4, 30
BY = ["district", "unit"]


def simulate_districts(simulator, districts: int, shifts: np.ndarray
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Group rows and district rows of ``districts`` simulated districts."""
    answers = simulator.draw(districts * UNITS, RESPONDENTS, np.tile(shifts, districts))
    answers["district"] = answers["unit"] // UNITS
    structure = simulator.instrument
    counts = count_table(answers, structure, BY)
    moments = moments_table(answers, linearization_weights(counts, structure, BY),
                            structure, BY)
    groups = linearized_intervals(counts, moments, structure, BY)
    district = index_estimates(count_table(answers, structure, "district"), structure,
                               "district")
    district = district.merge(combined_variance(groups, BY, within=["district"]),
                              on=["district", "target"])
    low, high = effective_wilson_interval(district["index"] / 100, district["variance"],
                                          district["n_respondents"], df=district["df"])
    return groups, district.assign(ci_low=100 * low, ci_high=100 * high)


def test_district_intervals_cover_the_truth(survey_simulator):
    # Units differ (effects −0.6…0.6 on the log-odds scale); the district's truth is the
    # statistic of the expected pooled counts: 30 respondents per unit.
    simulator = survey_simulator(2.0, 1.0, 20243)
    shifts = np.array([-0.6, -0.2, 0.2, 0.6])
    _, district = simulate_districts(simulator, 1000, shifts)
    expected = [simulator.expected(shift) for shift in shifts]
    truth = simulator.truth(sum(RESPONDENTS * ay for ay, _ in expected),
                            sum(RESPONDENTS * a for _, a in expected))
    values = district["target"].map(truth)
    covered = (district["ci_low"] <= values) & (values <= district["ci_high"])
    measured = covered.groupby(district["target"]).mean()
    print(f"\ndistrict rows:\n{measured.round(3).to_string()}")
    assert measured.between(0.93, 0.97).all(), measured.to_dict()


def test_tests_between_units_hold_their_level(survey_simulator):
    # Identical units: the Rao–Scott test should reject ~5% of the time where the naive
    # chi-square (answers treated as independent) rejects far more often; Holm-adjusted
    # flags against the district should appear in ~5% of districts at most.
    simulator = survey_simulator(2.0, 1.0, 20244)
    groups, district = simulate_districts(simulator, 300, np.zeros(UNITS))
    label = -1
    corrected, naive, flagged = [], [], []
    for key, rows in groups.groupby("district"):
        own = district.loc[district["district"] == key].assign(unit=label)
        table = pd.concat([rows, own], ignore_index=True)
        test = units_differ(table, by="unit", district_label=label)
        corrected.append(test["p_value"].iloc[0] < 0.05)
        naive.append(test["p_value_uncorrected"].iloc[0] < 0.05)
        flags = compare_with_district(table, "overall:pooled", by="unit", district_label=label)
        flagged.append(flags["differs"].any())
    rates = {"rao-scott": np.mean(corrected), "naive": np.mean(naive),
             "any flag": np.mean(flagged)}
    print(f"\nrejection rates under no difference: {rates}")
    assert 0.02 <= rates["rao-scott"] <= 0.08
    assert rates["naive"] > 0.2
    assert rates["any flag"] <= 0.08
