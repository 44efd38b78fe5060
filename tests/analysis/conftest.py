"""Fixtures of the analysis tests: instruments and a small hand-computed survey.

The repository root is put on ``sys.path`` when it is not there already (plain
``pytest`` from a virtualenv without the project installed), so that ``analysis`` and
``questionnaires`` import without a package ``__init__`` under tests/.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import questionnaires  # noqa: E402

#: Two elements: x = {a1, a2}, y = {b1}.
SMALL_STRUCTURE = {"a1": "x", "a2": "x", "b1": "y"}


@pytest.fixture
def sipas_2640() -> questionnaires.Instrument:
    return questionnaires.shipped_instruments()["sipas-2640"]


@pytest.fixture
def small_structure() -> dict[str, str]:
    return dict(SMALL_STRUCTURE)


@pytest.fixture
def small_answers() -> pd.DataFrame:
    """Respondent-level answers of units A and B (0 = not applicable, None = blank).

    Unit A: a1 = 5,5,5,4,2; a2 = 4,3,4,3,NA; b1 = 1,5,blank,NA,NA.
    Unit B: a1 = 4,4,—; a2 none; b1 = 3,—,2.
    """
    rows = [
        ("r1", "A", "a1", 5), ("r1", "A", "a2", 4), ("r1", "A", "b1", 1),
        ("r2", "A", "a1", 5), ("r2", "A", "a2", 3), ("r2", "A", "b1", 5),
        ("r3", "A", "a1", 5), ("r3", "A", "a2", 4), ("r3", "A", "b1", None),
        ("r4", "A", "a1", 4), ("r4", "A", "a2", 3), ("r4", "A", "b1", 0),
        ("r5", "A", "a1", 2), ("r5", "A", "a2", 0), ("r5", "A", "b1", 0),
        ("s1", "B", "a1", 4), ("s1", "B", "a2", 0), ("s1", "B", "b1", 3),
        ("s2", "B", "a1", 4), ("s2", "B", "a2", None), ("s2", "B", "b1", None),
        ("s3", "B", "a1", None), ("s3", "B", "a2", 0), ("s3", "B", "b1", 2),
    ]
    return pd.DataFrame(rows, columns=["respondent", "unit", "item", "value"])


@pytest.fixture
def small_counts() -> pd.DataFrame:
    """The count table of ``small_answers`` written out by hand."""
    rows = [
        ("A", "a1", 5, 3), ("A", "a1", 4, 1), ("A", "a1", 2, 1),
        ("A", "a2", 4, 2), ("A", "a2", 3, 2),
        ("A", "b1", 1, 1), ("A", "b1", 5, 1),
        ("B", "a1", 4, 2),
        ("B", "b1", 3, 1), ("B", "b1", 2, 1),
    ]
    return pd.DataFrame(rows, columns=["unit", "item", "value", "count"])


class SurveySimulator:
    """Simulated SIPAS surveys with a known truth (METHODOLOGY §4 validation).

    Model, per respondent r of a unit and rating item i of sipas-2640 (22 items):

    - a latent respondent effect u_r ~ N(0, sigma²), shared by all of r's items, so the
      answers of one person are correlated;
    - satisfied with probability expit(alpha_i + shift + u_r), alpha_i = base + N(0, 0.4²)
      drawn once per design (``shift`` is the unit's effect);
    - "not applicable" with probability expit(gamma_i − 0.5·u_r) (about 33% on the four
      feedback items pa1–pa4, 5% elsewhere; less satisfied people skip more), and a blank
      with probability 2%;
    - a satisfied answer is 5 with probability 0.4, else 4; an unsatisfied one is
      1, 2 or 3 with probabilities 0.1, 0.3, 0.6.

    The truth (population value of each statistic) is computed by Gauss–Hermite
    quadrature over u: P_i = E[a_i y_i]/E[a_i], E_e = mean of P_i, mean-of-elements =
    mean of E_e, pooled = Σ E[a_i y_i]/Σ E[a_i], mean-of-criteria = mean of P_i.
    """

    blank = 0.02

    def __init__(self, instrument: questionnaires.Instrument, base: float, sigma: float,
                 seed: int) -> None:
        self.instrument = instrument
        self.items = [item.code for item in instrument.rating_items]
        self.element_of = instrument.element_of()
        self.sigma = sigma
        self.rng = np.random.default_rng(seed)
        self.alpha = base + self.rng.normal(0, 0.4, len(self.items))
        self.gamma = np.array([-0.7 if self.element_of[i] == "pa" else -3.0
                               for i in self.items])

    def expected(self, shift: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """Per item, E[a·y] and E[a] for one respondent of a unit with effect ``shift``."""
        nodes, weights = np.polynomial.hermite_e.hermegauss(80)
        weights = weights / weights.sum()
        u = self.sigma * nodes
        satisfied = expit(self.alpha[:, None] + shift + u[None, :])
        answered = (1 - self.blank) * (1 - expit(self.gamma[:, None] - 0.5 * u[None, :]))
        return (answered * satisfied) @ weights, answered @ weights

    def truth(self, expected_ay: np.ndarray, expected_a: np.ndarray) -> dict[str, float]:
        """Every target's true value (percent) from expected item totals."""
        p = pd.Series(expected_ay / expected_a, index=self.items)
        elements = p.groupby(pd.Series(self.element_of)).mean()
        truth = {f"element:{code}": 100 * value for code, value in elements.items()}
        truth["overall:mean-of-elements"] = 100 * elements.mean()
        truth["overall:pooled"] = 100 * expected_ay.sum() / expected_a.sum()
        truth["overall:mean-of-criteria"] = 100 * p.mean()
        return truth

    def draw(self, units: int, respondents: int, shifts: np.ndarray | None = None
             ) -> pd.DataFrame:
        """Long answers ``[respondent, unit, item, value]`` of ``units`` units."""
        return self.draw_sizes(np.full(units, respondents), shifts)

    def draw_sizes(self, sizes: np.ndarray, shifts: np.ndarray | None = None) -> pd.DataFrame:
        """Long answers of units with ``sizes[j]`` respondents each (unit j, effect shifts[j])."""
        k = len(self.items)
        sizes = np.asarray(sizes, dtype=int)
        unit = np.repeat(np.arange(len(sizes)), sizes)
        shape = (len(unit), k)
        shift = np.zeros((len(unit), 1)) if shifts is None else np.asarray(shifts)[unit][:, None]
        u = self.rng.normal(0, self.sigma, (len(unit), 1))
        satisfied = self.rng.random(shape) < expit(self.alpha + shift + u)
        skipped = self.rng.random(shape) < expit(self.gamma - 0.5 * u)
        blank = self.rng.random(shape) < self.blank
        high = self.rng.random(shape) < 0.4
        low = self.rng.choice([1, 2, 3], p=[0.1, 0.3, 0.6], size=shape)
        values = np.where(satisfied, np.where(high, 5, 4), low).astype(float)
        values[skipped] = 0
        values[blank] = np.nan
        return pd.DataFrame({
            "respondent": np.repeat(np.arange(len(unit)), k),
            "unit": np.repeat(unit, k),
            "item": np.tile(self.items, len(unit)),
            "value": values.ravel()})


@pytest.fixture
def survey_simulator(sipas_2640):
    """Factory: ``survey_simulator(base, sigma, seed)`` → :class:`SurveySimulator`."""
    def make(base: float, sigma: float, seed: int) -> SurveySimulator:
        return SurveySimulator(sipas_2640, base, sigma, seed)
    return make
