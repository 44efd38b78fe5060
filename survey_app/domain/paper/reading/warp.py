"""The registered page redrawn at a fixed scale, as ink coverage, and its printed rows found.

Everything after registration works on this canonical page: ``SCALE`` pixels per layout point,
origin at the top-left, so a layout point (x, y) lies at pixel (x·SCALE, (height − y)·SCALE).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cv2
import numpy as np

#: Canonical pixels per point (216 dpi): a bubble's inside is about 330 pixels.
SCALE = 3.0
#: The printed bubble outline: radius as in the layout, line 0.8 pt (``sheet_pdf``).
RING_WIDTH_PT = 0.8
#: The band around each printed outline that the row match looks at, each side, in points.
RING_BAND_PT = 1.8
#: How far, in points, a row of bubbles is looked for around where the marks put it.
ROW_SEARCH_PT = 3.0
#: Correlation of a row's print with its drawn outlines below which the row is not found.
MIN_ROW_SCORE = 0.35


def canonical_xy(x: float, y: float, page_height: float) -> tuple[float, float]:
    """Canonical pixel of a layout point."""
    return x * SCALE, (page_height - y) * SCALE


def warp_page(gray: np.ndarray, transform: np.ndarray,
              page_size: tuple[float, float]) -> np.ndarray:
    """The page resampled onto the canonical grid through the page-to-image transform."""
    width, height = page_size
    # Canonical pixel → layout point → image pixel; warpPerspective is given that map
    # (WARP_INVERSE_MAP) and looks every canonical pixel up in the image.
    to_points = np.array([[1 / SCALE, 0, 0], [0, -1 / SCALE, height], [0, 0, 1]])
    size = (round(width * SCALE), round(height * SCALE))
    return cv2.warpPerspective(gray, transform @ to_points, size,
                               flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_REPLICATE)


def coverage_map(page: np.ndarray, marks: Sequence[dict[str, Any]],
                 page_height: float) -> tuple[np.ndarray, float]:
    """Ink coverage of every canonical pixel (0 = bare paper, 1 = the page's solid print).

    The paper's brightness is estimated locally (the brightest neighbourhood, smoothed), so
    a shadow or a light fall-off across a photo does not read as ink; the solid corner marks
    tell how dark full ink is on this very page.

    Returns
    -------
    tuple
        The coverage (float32, same shape as ``page``) and the marks' brightness relative to
        the paper (0 = black, 1 = paper).
    """
    small = cv2.resize(page, None, fx=1 / 8, fy=1 / 8, interpolation=cv2.INTER_AREA)
    # 7 small pixels = 56 canonical pixels ≈ 19 pt: wider than any bubble, even filled.
    paper = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (7, 7)))
    paper = cv2.GaussianBlur(paper.astype(np.float32), (0, 0), 2.0)
    paper = cv2.resize(paper, (page.shape[1], page.shape[0]), interpolation=cv2.INTER_LINEAR)
    ratio = page.astype(np.float32) / np.maximum(paper, 1.0)
    inside = []
    for mark in marks:
        size = float(mark["size"])
        left, top = canonical_xy(mark["x"] + size / 4, mark["y"] + 3 * size / 4, page_height)
        side = round(size / 2 * SCALE)
        inside.append(ratio[round(top):round(top) + side, round(left):round(left) + side])
    ink = float(np.clip(np.median(np.concatenate([part.ravel() for part in inside])), 0, 0.7))
    coverage = np.clip((1.0 - ratio) / (1.0 - ink), 0.0, 1.0)
    return coverage, ink


@dataclass(frozen=True)
class RowFit:
    """Where a row of bubbles was found: shift in canonical pixels and the match score."""

    du: int
    dv: int
    score: float

    @property
    def found(self) -> bool:
        """True when the row's print was found inside the search window."""
        limit = round(ROW_SEARCH_PT * SCALE)
        return self.score >= MIN_ROW_SCORE and max(abs(self.du), abs(self.dv)) < limit


@lru_cache(maxsize=64)
def _row_template(offsets: tuple[tuple[int, int], ...],
                  radius_px: float) -> tuple[np.ndarray, np.ndarray]:
    """The outlines of a row's bubbles at their offsets from the row's corner, and the mask
    of the bands around them that the match looks at.

    Only a band around each outline counts: the mark inside a bubble and an option's label
    beside it are not print the row is recognised by.
    """
    margin = round(radius_px) + 3
    width = max(u for u, _ in offsets) + 2 * margin + 1
    height = max(v for _, v in offsets) + 2 * margin + 1
    template = np.zeros((height, width), np.float32)
    mask = np.zeros((height, width), np.uint8)
    band = round(RING_BAND_PT * SCALE)
    for u, v in offsets:
        centre = (u + margin, v + margin)
        cv2.circle(template, centre, round(radius_px), 1.0,
                   max(1, round(RING_WIDTH_PT * SCALE)), cv2.LINE_AA)
        cv2.circle(mask, centre, round(radius_px), 255, 2 * band + 1)
    # A little blur: the print is matched however sharp the scan was.
    return cv2.GaussianBlur(template, (0, 0), 0.8), mask


def fit_row(coverage: np.ndarray, centres: Sequence[tuple[float, float]],
            radius_pt: float) -> RowFit:
    """Find one row's printed bubble outlines near the canonical ``centres``."""
    radius_px = radius_pt * SCALE
    left = min(u for u, _ in centres)
    top = min(v for _, v in centres)
    offsets = tuple((round(u - left), round(v - top)) for u, v in centres)
    template, mask = _row_template(offsets, radius_px)
    search = round(ROW_SEARCH_PT * SCALE)
    margin = round(radius_px) + 3
    u0, v0 = round(left) - margin - search, round(top) - margin - search
    u1, v1 = u0 + template.shape[1] + 2 * search, v0 + template.shape[0] + 2 * search
    if u0 < 0 or v0 < 0 or u1 > coverage.shape[1] or v1 > coverage.shape[0]:
        return RowFit(0, 0, 0.0)
    scores = cv2.matchTemplate(coverage[v0:v1, u0:u1], template, cv2.TM_CCOEFF_NORMED,
                               mask=mask)
    _, best, _, (du, dv) = cv2.minMaxLoc(scores)
    return RowFit(du - search, dv - search, float(best))


@lru_cache(maxsize=8)
def _band(inner_px: float, outer_px: float) -> tuple[np.ndarray, np.ndarray]:
    """Pixel offsets (rows, columns) of the ring between two radii (a disc from 0)."""
    span = int(np.ceil(outer_px))
    dv, du = np.mgrid[-span:span + 1, -span:span + 1]
    squared = du * du + dv * dv
    inside = (squared <= outer_px * outer_px) & (squared >= inner_px * inner_px)
    return dv[inside], du[inside]


def _gather(coverage: np.ndarray, centres: np.ndarray, inner_px: float,
            outer_px: float) -> np.ndarray:
    dv, du = _band(inner_px, outer_px)
    rows = np.clip(np.rint(centres[:, 1:2]).astype(int) + dv, 0, coverage.shape[0] - 1)
    cols = np.clip(np.rint(centres[:, 0:1]).astype(int) + du, 0, coverage.shape[1] - 1)
    return coverage[rows, cols]


def disc_measures(coverage: np.ndarray, centres: np.ndarray,
                  radius_px: float) -> tuple[np.ndarray, np.ndarray]:
    """Mean coverage and share of pixels over half coverage inside discs at ``centres``.

    ``centres`` is n × 2 canonical (u, v); the discs are sampled in one gather.
    """
    values = _gather(coverage, centres, 0.0, radius_px)
    return values.mean(axis=1), (values > 0.5).mean(axis=1)


def band_means(coverage: np.ndarray, centres: np.ndarray, inner_px: float,
               outer_px: float) -> np.ndarray:
    """Mean coverage of the ring between two radii around each of ``centres``."""
    return _gather(coverage, centres, inner_px, outer_px).mean(axis=1)


def box_pixels(box: dict[str, Any], page_height: float, margin_pt: float = 0.0,
               ) -> tuple[int, int, int, int]:
    """Canonical (left, top, right, bottom) of a layout box, grown by ``margin_pt``."""
    left, top = canonical_xy(box["x"] - margin_pt, box["y"] + box["h"] + margin_pt, page_height)
    right, bottom = canonical_xy(box["x"] + box["w"] + margin_pt, box["y"] - margin_pt,
                                 page_height)
    return round(left), round(top), round(right), round(bottom)


def crop_png(page: np.ndarray, box: dict[str, Any], page_height: float,
             margin_pt: float = 3.0) -> bytes:
    """A PNG of the canonical page inside a layout box (for a person to read or type)."""
    left, top, right, bottom = box_pixels(box, page_height, margin_pt)
    height, width = page.shape
    crop = page[max(top, 0):min(bottom, height), max(left, 0):min(right, width)]
    ok, encoded = cv2.imencode(".png", crop, [cv2.IMWRITE_PNG_COMPRESSION, 6])
    if not ok:  # pragma: no cover - OpenCV encodes any non-empty grey image
        raise ValueError("PNG encoding failed")
    return encoded.tobytes()
