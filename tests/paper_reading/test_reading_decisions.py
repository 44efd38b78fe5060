"""The decision rules on measures given directly: one confident mark, blank, double, erasure,
faint, and the empty band widening on a noisy page."""

from __future__ import annotations

import numpy as np
import pytest

from survey_app.domain.paper.reading import DEFAULT_THRESHOLDS, BubbleState, Decision
from survey_app.domain.paper.reading.marks import EMPTY_CEILING, bubble_state, decide, reference

VALUES = [1, 2, 3, 4, 5, 0]
T = DEFAULT_THRESHOLDS


def _decide(fills, noise=0.0):
    return decide(VALUES, fills, [0.0] * len(fills), T, noise)


@pytest.mark.parametrize("fills, decision, value", [
    ([0.0, 0.01, -0.01, 0.62, 0.0, 0.0], Decision.ANSWERED, 4),
    ([0.0, 0.0, 0.0, 0.0, 0.0, T.marked], Decision.ANSWERED, 0),  # "Không áp dụng"
    ([0.01, 0.0, -0.01, 0.0, 0.02, 0.0], Decision.BLANK, None),
    ([0.6, 0.0, 0.0, 0.55, 0.0, 0.0], Decision.DOUBLE, None),
    ([0.0, 0.0, 0.7, 0.0, 0.15, 0.0], Decision.ERASURE, None),   # a smear beside a mark
    ([0.0, 0.0, 0.7, 0.0, 0.06, 0.0], Decision.ERASURE, None),   # an uncertain one beside
    ([0.0, 0.06, 0.0, 0.0, 0.0, 0.0], Decision.FAINT, None),
    ([0.0, 0.0, T.marked - 0.001, 0.0, 0.0, 0.0], Decision.FAINT, None),
])
def test_one_confident_mark_is_accepted_anything_else_goes_to_review(fills, decision, value):
    got, got_value, bubbles = _decide(fills)
    assert (got, got_value) == (decision, value)
    assert got.accepted is (decision in (Decision.ANSWERED, Decision.BLANK))
    assert [b.value for b in bubbles] == VALUES


def test_the_band_between_empty_and_marked_is_uncertain():
    assert bubble_state(T.empty - 0.001, T) is BubbleState.EMPTY
    assert bubble_state(T.empty, T) is BubbleState.UNCERTAIN
    assert bubble_state(T.marked - 0.001, T) is BubbleState.UNCERTAIN
    assert bubble_state(T.marked, T) is BubbleState.MARKED


def test_a_noisy_page_widens_the_empty_band_instead_of_reading_noise_as_marks():
    fills = [0.0, 0.0, 0.07, 0.0, 0.0, 0.0]
    assert _decide(fills)[0] is Decision.FAINT
    assert _decide(fills, noise=0.02)[0] is Decision.BLANK
    # …and a mark must then stand twice as far above the empty reference.
    assert _decide([0.0, 0.0, 0.2, 0.0, 0.0, 0.0], noise=0.02)[0] is Decision.FAINT
    assert _decide([0.0, 0.0, 0.3, 0.0, 0.0, 0.0], noise=0.02)[:2] == (Decision.ANSWERED, 3)


def test_the_empty_reference_comes_from_the_empty_bubbles_not_the_marked_ones():
    rng = np.random.default_rng(1)
    empty = rng.normal(0.05, 0.004, 100)
    marked = rng.uniform(0.3, 0.8, 25)  # a straight-liner: one mark in five bubbles
    ref = reference(np.concatenate([empty, marked]), np.zeros(125), EMPTY_CEILING["item"])
    assert ref.fill == pytest.approx(0.05, abs=0.002)
    assert ref.spread == pytest.approx(0.004, rel=0.3)


def test_a_page_holding_a_few_bubbles_all_marked_is_not_read_as_blank():
    """The last profile question alone on a page, every option marked: the reference is
    capped where no empty bubble ever reads, so the marks stay marks (to review)."""
    fills = np.array([0.55, 0.62, 0.48])
    ref = reference(fills, np.zeros(3), EMPTY_CEILING["profile"])
    assert ref.fill == EMPTY_CEILING["profile"]
    decision, value, _ = decide(["a", "b", "c"], fills - ref.fill, [0.0] * 3, T, ref.spread)
    assert (decision, value) == (Decision.DOUBLE, None)
    one = np.array([0.004, 0.61, 0.009])
    ref = reference(one, np.zeros(3), EMPTY_CEILING["profile"])
    assert decide(["a", "b", "c"], one - ref.fill, [0.0] * 3, T, ref.spread)[:2] == \
        (Decision.ANSWERED, "b")


def test_ink_around_a_bubble_that_is_not_the_mark_sends_the_question_to_review():
    blank = [0.0] * 6
    circled = [0.0, 0.0, 0.0, 0.4, 0.0, 0.0]  # a loop drawn around "4"
    assert decide(VALUES, blank, [0.0] * 6, T, 0.0, circled)[:2] == (Decision.OUTSIDE, None)
    # A cross or a fill running over its own ring is a mark like any other.
    marked = [0.0, 0.0, 0.0, 0.6, 0.0, 0.0]
    assert decide(VALUES, marked, [0.0] * 6, T, 0.0, circled)[:2] == (Decision.ANSWERED, 4)
    beside = [0.0, 0.0, 0.0, 0.0, T.outside, 0.0]
    assert decide(VALUES, marked, [0.0] * 6, T, 0.0, beside)[:2] == (Decision.OUTSIDE, None)
    crossing = [0.0, 0.0, 0.0, 0.0, T.outside - 0.01, 0.0]  # a stroke merely crossing the band
    assert decide(VALUES, marked, [0.0] * 6, T, 0.0, crossing)[:2] == (Decision.ANSWERED, 4)
