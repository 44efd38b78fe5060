"""Marks: each bubble against the page's own empty bubbles, then one decision per question.

Two measures per bubble, both over the inside of the printed ring (the ring itself is print,
not a mark): ``fill``, the mean ink coverage, which neither a blur nor a thin stroke changes
and on which the decisions rest; and ``dark``, the share of pixels more than half-inked (the
dark-pixel fraction of VotingWorks' rule), kept for staff and tuning: it tells a grey smear
from a dark stroke of the same mean. Both are taken relative to the median of the page's
bubbles of the same kind (with or without the faint printed digit): most bubbles of a page
are empty, so that median is the page's own "empty", whatever the paper, the light, the
scanner or the camera (a respondent who marks "5" everywhere still leaves four bubbles in
five empty).

A bubble is **marked** when its ``fill`` clears the ``marked`` threshold, **empty** under the
``empty`` one, and **uncertain** in the band between. A question is accepted with one marked
bubble and no uncertain one (its value), or with every bubble empty (no answer); anything
else — two marks, a mark beside a much fainter one or an uncertain one (an erasure), only
uncertain marks, ink around a bubble that is not the marked one (a circled answer, a tick
beside a bubble) — goes to a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .results import BubbleReading, BubbleState, Decision


@dataclass(frozen=True)
class Thresholds:
    """Decision thresholds on ``fill`` above the page's empty reference.

    The page's empty bubbles lie within ±0.02 of their median on every bench image, scans
    and photos alike; the lightest true marks (a thin, light tick) reach about 0.10.
    """

    marked: float = 0.09
    empty: float = 0.045
    #: On a noisy page the empty band widens: never narrower than this many robust standard
    #: deviations of the page's empty bubbles.
    noise_sigmas: float = 6.0
    #: Beside a mark this many times stronger, a second one is an erasure, not a choice.
    erasure_ratio: float = 2.5
    #: Ink in the band around a bubble (a circle drawn around it reads 0.3–0.5, a stroke
    #: merely crossing the band under 0.06).
    outside: float = 0.08


DEFAULT_THRESHOLDS = Thresholds()
#: The inside of a bubble that is measured, as a share of its printed radius: clear of the
#: ring (radius 5 pt, line 0.8 pt) by about a point, for what registration leaves over.
INSIDE = 0.68
#: The band around a bubble looked at for marks made outside it, in points beyond the printed
#: radius: clear of the ring, and of the row's lines and an option's label (≥ 4 pt away).
AROUND_PT = (1.2, 2.8)
#: Pages whose empty bubbles spread wider than this are too dark, blurred or noisy to judge.
MAX_SPREAD = 0.03
#: The most an empty bubble's inside can read on any page: a little noise on a bare one,
#: the printed digit too on a rating bubble (≈ 0.06). A reference above it cannot come from
#: empty bubbles (a page holding a few bubbles, all marked) and is capped.
EMPTY_CEILING = {"item": 0.12, "profile": 0.05}


@dataclass(frozen=True)
class Reference:
    """The page's empty bubbles of one kind: their median measures and robust spread."""

    fill: float
    dark: float
    spread: float


def reference(fills: np.ndarray, darks: np.ndarray, ceiling: float,
              band: float = DEFAULT_THRESHOLDS.empty) -> Reference:
    """The empty bubbles' median measures, from bubbles most of which are empty.

    A first guess — the lower 30th percentile, an actual bubble, which holds as long as
    three bubbles in ten are empty, capped at ``ceiling`` — picks out the bubbles within
    ``band`` of it; their median and scaled median absolute deviation are the reference.
    """
    guess = min(float(np.percentile(fills, 30, method="lower")), ceiling)
    empty = np.abs(fills - guess) < band
    if not empty.any():
        return Reference(guess, float(np.min(darks)), 0.0)
    fill = float(np.median(fills[empty]))
    spread = 1.4826 * float(np.median(np.abs(fills[empty] - fill)))
    return Reference(fill, float(np.median(darks[empty])), spread)


def bubble_state(fill: float, thresholds: Thresholds, noise: float = 0.0) -> BubbleState:
    """Marked, empty or uncertain, from ``fill`` above the empty reference."""
    empty = max(thresholds.empty, thresholds.noise_sigmas * noise)
    marked = max(thresholds.marked, 2 * empty)
    if fill >= marked:
        return BubbleState.MARKED
    if fill < empty:
        return BubbleState.EMPTY
    return BubbleState.UNCERTAIN


def decide(values: Sequence[int | str], fills: Sequence[float], darks: Sequence[float],
           thresholds: Thresholds = DEFAULT_THRESHOLDS, noise: float = 0.0,
           outsides: Sequence[float] | None = None,
           ) -> tuple[Decision, int | str | None, tuple[BubbleReading, ...]]:
    """The decision on one question from its bubbles' measures (above the reference).

    Returns
    -------
    tuple
        The decision, the value it gives (only for ``ANSWERED``), and each bubble's reading.
    """
    outsides = [0.0] * len(values) if outsides is None else outsides
    readings = tuple(
        BubbleReading(value, round(float(fill), 4), round(float(dark), 4),
                      bubble_state(float(fill), thresholds, noise), round(float(outside), 4))
        for value, fill, dark, outside in zip(values, fills, darks, outsides, strict=True))
    decision, value = _from_states(readings, thresholds)
    # A blank question, or one mark, with ink around another bubble: the respondent may
    # have circled their answer or ticked beside it. A person decides.
    if decision in (Decision.BLANK, Decision.ANSWERED) and any(
            r.outside >= thresholds.outside and r.state is not BubbleState.MARKED
            for r in readings):
        return Decision.OUTSIDE, None, readings
    return decision, value, readings


def _from_states(readings: tuple[BubbleReading, ...],
                 thresholds: Thresholds) -> tuple[Decision, int | str | None]:
    marked = [r for r in readings if r.state is BubbleState.MARKED]
    uncertain = [r for r in readings if r.state is BubbleState.UNCERTAIN]
    if len(marked) > 1:
        fills_marked = sorted((r.fill for r in marked), reverse=True)
        if fills_marked[0] >= thresholds.erasure_ratio * fills_marked[1]:
            return Decision.ERASURE, None
        return Decision.DOUBLE, None
    if marked and uncertain:
        return Decision.ERASURE, None
    if marked:
        return Decision.ANSWERED, marked[0].value
    if uncertain:
        return Decision.FAINT, None
    return Decision.BLANK, None
