"""Cross-check of the linearised variances with an established survey package (METHODOLOGY §4).

samplics (Diallo, M. S., 2021, "samplics: a Python package for selecting, weighting and
analyzing data from complex sampling designs", JOSS 6(68):3376) estimates a ratio's
variance by Taylor linearisation with respondents as primary sampling units. The pooled
index is the ratio Σ_r Y_r / Σ_r A_r of each respondent's satisfied answers Y_r to their
valid answers A_r, so its linearised variance must equal samplics' for the same data.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from analysis import count_table, linearization_weights, linearized_variances, moments_table

with warnings.catch_warnings():
    # samplics 0.6 announces its successor package on import.
    warnings.simplefilter("ignore", FutureWarning)
    from samplics import PopParam, TaylorEstimator


def _answers(simulator, respondents: int):
    answers = simulator.draw(1, respondents)
    wide = answers.pivot(index="respondent", columns="item", values="value")
    valid = (wide >= 1) & (wide <= 5)
    satisfied = wide >= 4
    return answers, satisfied.sum(axis=1).to_numpy(float), valid.sum(axis=1).to_numpy(float)


@pytest.mark.parametrize("respondents", [12, 40, 150])
def test_pooled_variance_equals_samplics_taylor_ratio(survey_simulator, respondents):
    simulator = survey_simulator(2.0, 1.0, 900 + respondents)
    answers, satisfied, valid = _answers(simulator, respondents)
    structure = simulator.instrument
    counts = count_table(answers, structure)
    moments = moments_table(answers, linearization_weights(counts, structure), structure)
    ours = linearized_variances(moments).set_index("target").loc["overall:pooled", "variance"]

    estimator = TaylorEstimator(PopParam.ratio)
    estimator.estimate(y=satisfied, x=valid, psu=np.arange(len(valid)), remove_nan=True)
    assert float(estimator.point_est) == pytest.approx(satisfied.sum() / valid.sum())
    assert ours == pytest.approx(float(estimator.variance), rel=1e-10)


def test_mean_of_criteria_without_gaps_equals_samplics_mean(survey_simulator):
    # With every item answered by everyone, the mean of the criteria is the mean over
    # respondents of each person's share of satisfied answers: samplics' Taylor mean.
    simulator = survey_simulator(1.5, 1.0, 77)
    simulator.blank = 0.0
    simulator.gamma[:] = -50.0  # nobody answers "not applicable"
    answers, satisfied, valid = _answers(simulator, 60)
    assert (valid == len(simulator.items)).all()
    structure = simulator.instrument
    counts = count_table(answers, structure)
    moments = moments_table(answers, linearization_weights(counts, structure), structure)
    variances = linearized_variances(moments).set_index("target")["variance"]

    estimator = TaylorEstimator(PopParam.mean)
    estimator.estimate(y=satisfied / valid, psu=np.arange(len(valid)), remove_nan=True)
    assert variances["overall:mean-of-criteria"] == pytest.approx(float(estimator.variance),
                                                                  rel=1e-10)
