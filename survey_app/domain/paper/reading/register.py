"""Identify a page by its QR code and lay it onto its layout through the four corner marks.

The QR code says which sheet and page this is, and — being readable in any orientation —
which way up the page lies and roughly where everything is. The four solid corner squares
are then found near where the QR code places them, and the projective transform through
their centres maps layout points to image pixels. The QR corners, which did not enter that
transform, must land where it puts them: if not, the page is refused.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import zxingcpp

from .reasons import PageRefused, Rejection
from .results import SheetCode

#: Page 1's QR code: the sheet's own address ``…/p/<token>``.
SHEET_URL = re.compile(r"^https?://\S+?/p/(?P<token>[A-Za-z0-9_-]{8,64})/?$")
#: Later pages: ``KS:<serial>:<page>/<pages>`` (``sheet_pdf.page_code``).
PAGE_CODE = re.compile(r"^KS:(?P<serial>\d{4,16}):(?P<page>[1-9]\d?)/(?P<pages>[1-9]\d?)$")
#: Reading needs at least 150 dpi (≈ 2.08 pixels per point); a little slack for perspective.
MIN_PIXELS_PER_POINT = 0.9 * 150 / 72
#: How far a corner mark may lie from where the QR code (and the marks found so far) put
#: it, as a share of the page's diagonal: generous, for phone photos in steep perspective.
SEARCH_SHARE = 0.3
#: Largest distance, in points, between a decoded QR corner and where the marks put it.
#: The decoder gives corners to the pixel, and a module is 1.7–2.4 pt.
QR_TOLERANCE_PT = 3.0
#: Squares tried for each corner mark (the nearest to where it should be).
MAX_CANDIDATES = 4
#: Marks found one after the other, each refining the guess for the next; the others are
#: guessed from those (a wrong far pick must not lead the last guess astray).
CHAINED_MARKS = 2


@dataclass(frozen=True)
class FoundCode:
    """A sheet code found in an image, with the symbol's corners (TL, TR, BR, BL) in pixels."""

    code: SheetCode
    corners: np.ndarray


def parse_sheet_code(text: str) -> SheetCode | None:
    """The sheet code a QR text carries, or None when it is no sheet code of this platform."""
    if match := SHEET_URL.match(text):
        return SheetCode(text=text, page=1, token=match["token"])
    if match := PAGE_CODE.match(text):
        page, pages = int(match["page"]), int(match["pages"])
        if page <= pages:
            return SheetCode(text=text, page=page, serial=match["serial"], pages=pages)
    return None


def find_codes(gray: np.ndarray) -> tuple[list[FoundCode], int]:
    """The sheet codes in a grey image, and how many other QR codes it shows."""
    found, others = [], 0
    for barcode in zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode):
        code = parse_sheet_code(barcode.text)
        if code is None:
            others += 1
            continue
        position = barcode.position
        corners = np.array([(p.x, p.y) for p in (position.top_left, position.top_right,
                                                 position.bottom_right, position.bottom_left)],
                           dtype=np.float64)
        found.append(FoundCode(code, corners))
    return found, others


def qr_corners_pt(box: dict[str, Any]) -> np.ndarray:
    """The QR symbol's corners TL, TR, BR, BL in layout points (y upwards)."""
    x, y, size = float(box["x"]), float(box["y"]), float(box["size"])
    return np.array([(x, y + size), (x + size, y + size), (x + size, y), (x, y)])


def mark_centres_pt(marks: list[dict[str, Any]]) -> np.ndarray:
    """The centres of the registration marks in layout points, in the layout's order."""
    return np.array([(m["x"] + m["size"] / 2, m["y"] + m["size"] / 2) for m in marks],
                    dtype=np.float64)


def project(transform: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Points (n × 2) through a 3×3 projective transform."""
    return cv2.perspectiveTransform(points.reshape(-1, 1, 2).astype(np.float64),
                                    transform).reshape(-1, 2)


def _affine(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The least-squares affine map (as 3×3) of ``source`` points onto ``target`` points."""
    design = np.hstack([source, np.ones((len(source), 1))])
    solution, *_ = np.linalg.lstsq(design, target, rcond=None)
    return np.vstack([solution.T, [0.0, 0.0, 1.0]])


def _solid_squares(gray: np.ndarray, mark_px: float) -> list[np.ndarray]:
    """Solid, square-ish dark blobs about ``mark_px`` wide on clear paper, not cut by the
    image's edge: the corner marks, and few other things."""
    block = int(mark_px * 3) | 1
    binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                   max(block, 3), 12)
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(binary, connectivity=8)
    expected = mark_px * mark_px
    height, width = gray.shape
    squares = []
    for label in range(1, count):
        left, top, w, h, area = stats[label]
        # Wide: a photo's perspective makes the near corner's mark twice the far one's area.
        if not 0.35 * expected <= area <= 3.2 * expected:
            continue
        if left == 0 or top == 0 or left + w >= width or top + h >= height:
            continue  # cut by the edge of the image: the page is not wholly in it
        mask = (labels[top:top + h, left:left + w] == label).astype(np.uint8)
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        (_, _), (side_a, side_b), _ = cv2.minAreaRect(max(contours, key=cv2.contourArea))
        if min(side_a, side_b) < 0.7 * max(side_a, side_b):
            continue
        # Solid and square: a filled bubble (a disc fills π/4 of its square), a QR finder
        # pattern (a ring around a square) or a letter fills less.
        if area < 0.86 * side_a * side_b:
            continue
        if not _on_clear_paper(binary, labels, label, (left, top, w, h)):
            continue
        squares.append(np.asarray(centroids[label], dtype=np.float64))
    return squares


def _on_clear_paper(binary: np.ndarray, labels: np.ndarray, label: int,
                    box: tuple[int, int, int, int]) -> bool:
    """True when half the blob's width all around it is bare paper, as around a corner
    mark (printed 18 pt inside the page's edge, far from any text): a speck of a table's
    texture or a blot among the questions has dark neighbours."""
    left, top, w, h = box
    pad = max(w, h) // 2
    rows = slice(max(top - pad, 0), top + h + pad)
    cols = slice(max(left - pad, 0), left + w + pad)
    around = (binary[rows, cols] > 0) & (labels[rows, cols] != label)
    return float(around.mean()) < 0.02


def _candidates(squares: list[np.ndarray], layout_marks: np.ndarray, qr_pt: np.ndarray,
                qr_px: np.ndarray, radius_px: float) -> list[list[np.ndarray]] | None:
    """For each layout mark, the nearest few squares to where it should be, nearest first.

    The first guess is the affine map through the QR corners; the nearest square to each
    of the ``CHAINED_MARKS`` marks nearest the QR code joins the points the next guess is
    fitted to, so the far corners are looked for with the near ones known (perspective
    then costs less).
    """
    order = np.argsort(np.linalg.norm(layout_marks - qr_pt.mean(axis=0), axis=1))
    source, target = list(qr_pt), list(qr_px)
    candidates: dict[int, list[np.ndarray]] = {}
    for rank, index in enumerate(order):
        guess = project(_affine(np.array(source), np.array(target)),
                        layout_marks[index:index + 1])[0]
        near = sorted((float(np.linalg.norm(c - guess)), n) for n, c in enumerate(squares))
        near = [(d, n) for d, n in near if d <= radius_px][:MAX_CANDIDATES]
        if not near:
            return None
        candidates[int(index)] = [squares[n] for _, n in near]
        if rank < CHAINED_MARKS:
            source.append(layout_marks[index])
            target.append(candidates[int(index)][0])
    return [candidates[i] for i in range(len(layout_marks))]


def _best_fit(candidates: list[list[np.ndarray]], layout_marks: np.ndarray, qr_pt: np.ndarray,
              qr_px: np.ndarray) -> tuple[np.ndarray, float]:
    """The choice of one square per mark whose transform puts the QR corners best.

    The QR corners do not enter the transform (four points fix it exactly), so how far
    they land from where they were decoded measures how well the choice fits the page.
    """
    best: tuple[np.ndarray, float] | None = None
    for choice in itertools.product(*candidates):
        if len({(float(c[0]), float(c[1])) for c in choice}) < len(choice):
            continue
        transform = cv2.getPerspectiveTransform(layout_marks.astype(np.float32),
                                                np.array(choice, np.float32))
        residual = float(np.linalg.norm(project(transform, qr_pt) - qr_px, axis=1).max())
        if best is None or residual < best[1]:
            best = (transform, residual)
    if best is None:
        raise PageRefused(Rejection.NO_MARKS)
    return best


def register_page(gray: np.ndarray, found: FoundCode, page_layout: dict[str, Any],
                  page_size: tuple[float, float]) -> tuple[np.ndarray, float, float]:
    """The page-to-image transform of one page, its scale and the QR residual.

    Parameters
    ----------
    gray
        The page image.
    found
        The page's sheet code with its corners in the image.
    page_layout
        The layout's entry for this page: ``registration_marks`` and ``qr``.
    page_size
        Width and height of the page in points.

    Returns
    -------
    tuple
        The 3×3 transform from layout points to pixels, pixels per point, and the largest
        distance in points between a decoded QR corner and where the transform puts it.

    Raises
    ------
    PageRefused
        Too small an image, a corner mark not found, or marks that do not fit the QR code.
    """
    qr_pt = qr_corners_pt(page_layout["qr"])
    qr_side_px = np.mean([np.linalg.norm(found.corners[i] - found.corners[(i + 1) % 4])
                          for i in range(4)])
    pixels_per_point = float(qr_side_px / float(page_layout["qr"]["size"]))
    if pixels_per_point < MIN_PIXELS_PER_POINT:
        raise PageRefused(Rejection.TOO_SMALL, f"≈ {pixels_per_point * 72:.0f} dpi")
    marks = page_layout["registration_marks"]
    layout_marks = mark_centres_pt(marks)
    squares = _solid_squares(gray, float(marks[0]["size"]) * pixels_per_point)
    radius = SEARCH_SHARE * float(np.hypot(*page_size)) * pixels_per_point
    candidates = _candidates(squares, layout_marks, qr_pt, found.corners, radius)
    if candidates is None:
        raise PageRefused(Rejection.NO_MARKS)
    transform, residual_px = _best_fit(candidates, layout_marks, qr_pt, found.corners)
    scale = _mean_scale(transform, page_size)
    residual_pt = residual_px / scale
    if not residual_pt <= QR_TOLERANCE_PT:
        raise PageRefused(Rejection.MISFIT, f"lệch {residual_pt:.1f} pt")
    return transform, scale, residual_pt


def _mean_scale(transform: np.ndarray, page_size: tuple[float, float]) -> float:
    """Pixels per point over the page: the square root of the page's area in pixels."""
    width, height = page_size
    corners = project(transform, np.array([(0, height), (width, height), (width, 0), (0, 0)],
                                          dtype=np.float64))
    return float(np.sqrt(cv2.contourArea(corners.astype(np.float32)) / (width * height)))
