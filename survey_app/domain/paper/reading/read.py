"""One page in, its reading out: identify, register, find the rows, measure, decide.

The caller says what a sheet code stands for (``lookup``): the web application looks the
token or serial up in its batches; tests and the bench pass the sheets they printed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .load import DEFAULT_DPI, PageImage, UnreadableFile, iter_pages
from .marks import (
    AROUND_PT,
    DEFAULT_THRESHOLDS,
    EMPTY_CEILING,
    INSIDE,
    MAX_SPREAD,
    Reference,
    Thresholds,
    decide,
    reference,
)
from .reasons import PageRefused, Rejection
from .register import FoundCode, find_codes, register_page
from .results import (
    DECISION_REASONS,
    Box,
    Decision,
    PageResult,
    QuestionReading,
    Registration,
    SheetCode,
    Status,
)
from .warp import (
    SCALE,
    RowFit,
    band_means,
    box_pixels,
    canonical_xy,
    coverage_map,
    crop_png,
    disc_measures,
    fit_row,
    warp_page,
)

#: Rows of bubbles whose print must be found where the marks put them, or the page is refused.
MIN_ROWS_FOUND = 0.85
#: The median shift of the rows found, in points, beyond which registration is distrusted.
MAX_ROW_SHIFT_PT = 2.0
#: Share of a comment box's inside more than half-inked above which something is written.
COMMENT_INK = 0.002


@dataclass(frozen=True)
class SheetContext:
    """What the caller knows of the sheet a code names: serial, stored layout, item codes."""

    serial: str
    layout: Mapping[str, Any]
    item_codes: Sequence[str]
    token: str | None = None


Lookup = Callable[[SheetCode], "SheetContext | None"]


def sheet_lookup(sheets: Iterable[SheetContext]) -> Lookup:
    """A lookup over known sheets, by the token of page 1's code or the serial of later pages."""
    by_token = {sheet.token: sheet for sheet in sheets if sheet.token}
    by_serial = {sheet.serial: sheet for sheet in by_token.values()}

    def lookup(code: SheetCode) -> SheetContext | None:
        return by_token.get(code.token) if code.token else by_serial.get(code.serial or "")
    return lookup


@dataclass
class _Question:
    kind: str
    code: str
    bubbles: list[dict[str, Any]] = field(default_factory=list)


def _questions(layout: Mapping[str, Any], page: int) -> list[_Question]:
    questions: dict[tuple[str, str], _Question] = {}
    for bubble in layout["bubbles"]:
        if bubble["page"] != page:
            continue
        kind, code = ("item", bubble["item"]) if "item" in bubble else \
            ("profile", bubble["question"])
        questions.setdefault((kind, code), _Question(kind, code)).bubbles.append(bubble)
    return list(questions.values())


def _the_code(gray: np.ndarray) -> FoundCode:
    found, others = find_codes(gray)
    texts = {item.code.text for item in found}
    if len(texts) > 1:
        raise PageRefused(Rejection.SEVERAL_CODES)
    if not found:
        raise PageRefused(Rejection.FOREIGN_CODE if others else Rejection.NO_CODE)
    return found[0]


def _page_layout(layout: Mapping[str, Any], code: SheetCode) -> dict[str, Any]:
    pages = {entry["page"]: entry for entry in layout.get("pages", [])}
    entry = pages.get(code.page)
    if entry is None or (code.pages is not None and code.pages != layout["pages_per_sheet"]):
        raise PageRefused(Rejection.UNKNOWN_PAGE)
    qr = entry.get("qr") or (layout.get("qr") if code.page == 1 else None)
    if qr is None:  # a batch printed before later pages carried their own QR code
        raise PageRefused(Rejection.UNKNOWN_PAGE)
    return {"registration_marks": entry["registration_marks"], "qr": qr}


def _row_box(layout: Mapping[str, Any], page: int, question: _Question) -> dict[str, Any]:
    key = "item" if question.kind == "item" else "question"
    for row in layout.get("rows", []):
        if row["page"] == page and row.get(key) == question.code:
            return row
    # Older layouts have no rows: the width of the page's text, around the bubbles.
    ys = [b["y"] for b in question.bubbles]
    width = float(layout["page_size"][0])
    return {"x": 42.0, "y": min(ys) - 9, "w": width - 84.0, "h": max(ys) - min(ys) + 18}


def read_page(page: PageImage, lookup: Lookup, *,
              thresholds: Thresholds = DEFAULT_THRESHOLDS) -> PageResult:
    """Read one page: a rejected result with its reason, or one decision per question."""
    started = time.perf_counter()
    code = context = None
    try:
        found = _the_code(page.gray)
        code = found.code
        context = lookup(code)
        if context is None or (code.serial and code.serial != context.serial):
            raise PageRefused(Rejection.UNKNOWN_SHEET)
        result = _read_registered(page, found, context, thresholds)
    except PageRefused as refusal:
        result = PageResult(page.source, page.index, Status.REJECTED, refusal.reason, code,
                            context.serial if context else None, code.page if code else None,
                            rejection=refusal.rejection)
    return replace(result, seconds=round(time.perf_counter() - started, 4))


def _read_registered(page: PageImage, found: FoundCode, context: SheetContext,
                     thresholds: Thresholds) -> PageResult:
    layout, number = context.layout, found.code.page
    page_layout = _page_layout(layout, found.code)
    questions = _questions(layout, number)
    known = set(context.item_codes)
    if any(q.kind == "item" and q.code not in known for q in questions):
        raise PageRefused(Rejection.OTHER_INSTRUMENT)
    page_size = (float(layout["page_size"][0]), float(layout["page_size"][1]))
    transform, scale, residual = register_page(page.gray, found, page_layout, page_size)
    canonical = warp_page(page.gray, transform, page_size)
    height = page_size[1]
    coverage, _ink = coverage_map(canonical, page_layout["registration_marks"], height)
    centres = [np.array([canonical_xy(b["x"], b["y"], height) for b in q.bubbles])
               for q in questions]
    radius = float(questions[0].bubbles[0]["r"]) if questions else 5.0
    fits, share, shift = _fit_rows(coverage, centres, radius)
    readings = _decide_all(coverage, canonical, layout, number, questions, centres, fits,
                           radius, thresholds)
    comment_png, written = _comment(canonical, coverage, layout, number)
    review = [q for q in readings if q.needs_review]
    reason = ("cần xem lại " + "; ".join(f"{q.code}: {DECISION_REASONS[q.decision]}"
                                         for q in review)) if review else ""
    registration = Registration(tuple(tuple(float(v) for v in row) for row in transform),
                                round(scale, 4), round(residual, 3), round(shift, 3),
                                round(share, 4))
    return PageResult(page.source, page.index, Status.REVIEW if review else Status.ACCEPTED,
                      reason, found.code, context.serial, number, tuple(readings),
                      registration, comment_png, written)


def _fit_rows(coverage: np.ndarray, centres: list[np.ndarray],
              radius: float) -> tuple[list[RowFit], float, float]:
    """Each row's printed outlines found near where the marks put them — the check that the
    registration fits the whole page, not only its corners — or the page refused."""
    fits = [fit_row(coverage, [tuple(c) for c in points], radius) for points in centres]
    found = [fit for fit in fits if fit.found]
    share = len(found) / len(fits) if fits else 1.0
    shift = float(np.median([np.hypot(f.du, f.dv) for f in found]) / SCALE) if found else 0.0
    if share < MIN_ROWS_FOUND or shift > MAX_ROW_SHIFT_PT:
        raise PageRefused(Rejection.ROWS, f"{share:.0%} hàng ô khớp")
    return fits, share, shift


def _comment(canonical: np.ndarray, coverage: np.ndarray, layout: Mapping[str, Any],
             number: int) -> tuple[bytes | None, bool]:
    """The comment box as a PNG for staff to type, and whether anything is written in it."""
    comment = layout.get("comment") or {}
    if comment.get("page") != number:
        return None, False
    height = float(layout["page_size"][1])
    # Inside the printed frame only: its own lines are not writing.
    left, top, right, bottom = box_pixels(comment, height, margin_pt=-4.0)
    written = bool((coverage[top:bottom, left:right] > 0.5).mean() > COMMENT_INK)
    return crop_png(canonical, comment, height), written


def _decide_all(coverage: np.ndarray, canonical: np.ndarray, layout: Mapping[str, Any],
                number: int, questions: list[_Question], centres: list[np.ndarray],
                fits: list[RowFit], radius: float,
                thresholds: Thresholds) -> list[QuestionReading]:
    """Measure every bubble where its row was found, calibrate, decide each question."""
    height = float(layout["page_size"][1])
    measures = []
    inner, outer = (radius + AROUND_PT[0]) * SCALE, (radius + AROUND_PT[1]) * SCALE
    for points, fit in zip(centres, fits, strict=True):
        shifted = points + np.array([fit.du, fit.dv]) if fit.found else points
        fills, darks = disc_measures(coverage, shifted, INSIDE * radius * SCALE)
        measures.append((fills, darks, band_means(coverage, shifted, inner, outer)))
    references: dict[str, Reference] = {}
    around_references: dict[str, Reference] = {}
    for kind in ("item", "profile"):
        chosen = [m for q, m in zip(questions, measures, strict=True) if q.kind == kind]
        if not chosen:
            continue
        fills, darks, around = (np.concatenate([m[i] for m in chosen]) for i in range(3))
        references[kind] = reference(fills, darks, EMPTY_CEILING[kind], thresholds.empty)
        if references[kind].spread > MAX_SPREAD:
            raise PageRefused(Rejection.UNREADABLE_PAPER)
        # Around the bubbles there is only paper: its own reference, capped like a bare inside.
        around_references[kind] = reference(around, darks, EMPTY_CEILING["profile"],
                                            thresholds.empty)
    readings = []
    for question, (fills, darks, around), fit in zip(questions, measures, fits, strict=True):
        ref, ref_around = references[question.kind], around_references[question.kind]
        values = [b["value"] for b in question.bubbles]
        decision, value, bubbles = decide(values, fills - ref.fill, darks - ref.dark,
                                          thresholds, ref.spread, around - ref_around.fill)
        if not fit.found:
            decision, value = Decision.MISALIGNED, None
        box = _row_box(layout, number, question)
        crop = None if decision.accepted else crop_png(canonical, box, height)
        readings.append(QuestionReading(question.code, question.kind, decision, value, bubbles,
                                        Box(box["x"], box["y"], box["w"], box["h"]), crop))
    return readings


def read_file(data: bytes, source: str, lookup: Lookup, *, dpi: int = DEFAULT_DPI,
              thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Iterator[PageResult]:
    """Read every page of a PDF, JPEG or PNG file; a file that cannot be opened gives one
    rejected result (page 0) with the reason."""
    try:
        for page in iter_pages(data, source, dpi=dpi):
            yield read_page(page, lookup, thresholds=thresholds)
    except UnreadableFile as error:
        yield PageResult(source, 0, Status.REJECTED, f"{Rejection.FILE.message}: {error}",
                         rejection=Rejection.FILE)
