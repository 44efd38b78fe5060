"""Synthetic filled and degraded paper sheets, for the mark-reading bench and test fixtures.

Sheets are printed by the real ``sheet_pdf`` code, rendered by pdfium at 300 dpi, filled
the way people fill them (dark marks, scribbles, ticks, crosses, light ticks, pencil, a few
erasures, double marks, stray strokes, handwriting in the comment box, blank sheets), then
degraded like a flatbed scan (150–300 dpi, rotation ±5°, blur, noise, JPEG 40–90) or a
hand-held phone photo (perspective, a table around the page, uneven light, blur, JPEG).
Everything comes from one seeded ``numpy`` generator, so a seed gives the same images.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
import pypdfium2 as pdfium

from questionnaires import Instrument
from survey_app.domain.paper.serials import damm_digit
from survey_app.domain.paper.sheet_pdf import layout_of, plan_sheet, render_sheets

RENDER_DPI = 300
BASE_URL = "https://khaosat.example.vn"
#: How the mark of an answered question is drawn, and how often.
STYLES = {"fill": 0.42, "scribble": 0.10, "tick": 0.20, "cross": 0.14, "light-tick": 0.06,
          "pencil": 0.08}
#: How often each rating is chosen (0 = not applicable); other scales are uniform.
RATING_WEIGHTS = {5: 0.38, 4: 0.36, 3: 0.12, 2: 0.05, 1: 0.03, 0: 0.06}
P_BLANK_QUESTION = 0.03
P_ERASURE = 0.006
P_DOUBLE = 0.004
P_STRAY_PAGE = 0.3
P_COMMENT = 0.35
INKS = ((35, 35, 35), (150, 60, 25), (120, 45, 20), (40, 30, 140))  # BGR: black, blues, red


@dataclass(frozen=True)
class Truth:
    """What the respondent meant for one question (``value`` None: left blank)."""

    code: str
    kind: str
    value: int | str | None
    style: str
    #: Two marks: no single right answer, so any accepted reading is an error.
    ambiguous: bool = False


@dataclass
class PrintedSheet:
    """One printed sheet of a synthetic batch and the marks put on it."""

    instrument: str
    serial: str
    token: str
    layout: dict[str, Any]
    item_codes: tuple[str, ...]
    truths: dict[str, Truth] = field(default_factory=dict)
    comment_written: bool = False


def make_serial(rng: np.random.Generator) -> str:
    """A valid serial (seven digits and the Damm check digit)."""
    body = "".join(str(d) for d in rng.integers(0, 10, 7))
    return body + damm_digit(body)


def make_token(rng: np.random.Generator) -> str:
    """A 16-character URL-safe token, as ``new_sheet_token`` makes."""
    alphabet = string.ascii_letters + string.digits + "-_"
    return "".join(alphabet[i] for i in rng.integers(0, len(alphabet), 16))


def print_batch(instrument: Instrument, blocks: list[str], count: int,
                rng: np.random.Generator) -> tuple[list[PrintedSheet], bytes]:
    """A batch of ``count`` sheets: their identities and layout, and the batch PDF."""
    plan = plan_sheet(instrument, blocks, None, title=instrument.title,
                      unit_name="Xã Canh Hiển", campaign_name="Khảo sát năm 2026")
    layout = layout_of(plan, count, instrument=instrument.code, blocks=blocks, field_codes=None)
    sheets = [PrintedSheet(instrument.code, make_serial(rng), make_token(rng), layout,
                           tuple(i.code for i in instrument.items_for(tuple(blocks))))
              for _ in range(count)]
    pdf = render_sheets(plan, [(s.serial, f"{BASE_URL}/p/{s.token}") for s in sheets])
    return sheets, pdf


def render_pages(pdf: bytes, dpi: int = RENDER_DPI) -> list[np.ndarray]:
    """Every page of a PDF as a BGR image."""
    document = pdfium.PdfDocument(pdf)
    try:
        return [cv2.cvtColor(page.render(scale=dpi / 72).to_numpy(), cv2.COLOR_RGB2BGR)
                for page in document]
    finally:
        document.close()


def questions_of(layout: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Each question's bubbles, by code (rating items and profile questions)."""
    questions: dict[str, list[dict[str, Any]]] = {}
    for bubble in layout["bubbles"]:
        questions.setdefault(bubble.get("item") or bubble["question"], []).append(bubble)
    return questions


def choose_truths(sheet: PrintedSheet, rng: np.random.Generator, blank: bool = False) -> None:
    """Decide what the respondent answers, and how the marks look."""
    styles, weights = list(STYLES), np.array(list(STYLES.values()))
    for code, bubbles in questions_of(sheet.layout).items():
        kind = "item" if "item" in bubbles[0] else "profile"
        if blank or rng.random() < P_BLANK_QUESTION:
            sheet.truths[code] = Truth(code, kind, None, "blank")
            continue
        values = [b["value"] for b in bubbles]
        if kind == "item":
            # Mostly satisfied, some "not applicable", as in real SIPAS returns.
            likes = np.array([RATING_WEIGHTS.get(v, 0.1) for v in values])
            value = values[int(rng.choice(len(values), p=likes / likes.sum()))]
        else:
            value = values[int(rng.integers(len(values)))]
        draw = rng.random()
        style = "erasure" if draw < P_ERASURE else "double" if draw < P_ERASURE + P_DOUBLE \
            else str(rng.choice(styles, p=weights / weights.sum()))
        sheet.truths[code] = Truth(code, kind, value, style, ambiguous=style == "double")
    sheet.comment_written = not blank and rng.random() < P_COMMENT


class Pen:
    """Draws ink onto a BGR page at 300 dpi, in layout points (origin bottom-left)."""

    def __init__(self, image: np.ndarray, page_height: float, rng: np.random.Generator):
        self.image, self.height, self.rng = image, page_height, rng
        self.scale = RENDER_DPI / 72
        self.ink = np.array(INKS[int(rng.integers(len(INKS)))], np.float32)

    def px(self, x: float, y: float) -> tuple[int, int]:
        return round(x * self.scale), round((self.height - y) * self.scale)

    def _region(self, points: np.ndarray, pad: int) -> tuple[int, int, np.ndarray]:
        """A blank mask over the bounding box of ``points`` (drawing on the whole page
        for every stroke would be slow), with its top-left corner."""
        height, width = self.image.shape[:2]
        left = max(int(points[:, 0].min()) - pad, 0)
        top = max(int(points[:, 1].min()) - pad, 0)
        right = min(int(points[:, 0].max()) + pad, width)
        bottom = min(int(points[:, 1].max()) + pad, height)
        return left, top, np.zeros((max(bottom - top, 1), max(right - left, 1)), np.float32)

    def apply(self, left: int, top: int, mask: np.ndarray, alpha: float,
              ink: np.ndarray | None = None) -> None:
        """Lay ``ink`` where ``mask`` (0..1) says, ``alpha`` opaque, like ink on paper."""
        ink = self.ink if ink is None else ink
        height, width = mask.shape
        region = self.image[top:top + height, left:left + width]
        weight = (mask[:region.shape[0], :region.shape[1]] * alpha)[..., None]
        region[:] = (region * (1 - weight) + ink * weight).astype(np.uint8)

    def stroke(self, points: list[tuple[float, float]], width_pt: float, alpha: float = 0.92,
               ink: np.ndarray | None = None) -> None:
        pts = np.array([self.px(x, y) for x, y in points], np.int32)
        thickness = max(1, round(width_pt * self.scale))
        left, top, mask = self._region(pts, thickness + 2)
        cv2.polylines(mask, [pts - (left, top)], False, 1.0, thickness, cv2.LINE_AA)
        self.apply(left, top, mask, alpha, ink)

    def blob(self, x: float, y: float, rx: float, ry: float, angle: float, alpha: float,
             blur_pt: float = 0.0, ink: np.ndarray | None = None) -> None:
        centre = np.array([self.px(x, y)])
        reach = round(max(rx, ry) * self.scale + 4 * blur_pt * self.scale) + 2
        left, top, mask = self._region(centre, reach)
        cv2.ellipse(mask, (int(centre[0, 0]) - left, int(centre[0, 1]) - top),
                    (round(rx * self.scale), round(ry * self.scale)), angle, 0, 360, 1.0, -1,
                    cv2.LINE_AA)
        if blur_pt:
            mask = cv2.GaussianBlur(mask, (0, 0), blur_pt * self.scale)
        self.apply(left, top, mask, alpha, ink)


def mark(pen: Pen, bubble: dict[str, Any], style: str) -> None:
    """One answer mark in a bubble, drawn in ``style``."""
    rng, x, y, r = pen.rng, bubble["x"], bubble["y"], bubble["r"]
    x, y = x + rng.normal(0, 0.5), y + rng.normal(0, 0.5)
    if style == "fill":
        pen.blob(x, y, r * rng.uniform(0.85, 1.15), r * rng.uniform(0.8, 1.1),
                 rng.uniform(0, 180), rng.uniform(0.85, 0.97))
    elif style == "pencil":
        pen.blob(x, y, r * rng.uniform(0.8, 1.1), r * rng.uniform(0.75, 1.05),
                 rng.uniform(0, 180), rng.uniform(0.45, 0.65), ink=np.float32([90, 90, 90]))
    elif style == "scribble":
        points = [(x + rng.uniform(-0.8, 0.8) * r, y + (i / 7 - 0.5) * 1.6 * r)
                  for i in range(8)]
        pen.stroke(points, rng.uniform(1.2, 2.0))
    elif style in ("tick", "light-tick"):
        size = r * rng.uniform(0.9, 1.6)
        points = [(x - 0.5 * size, y + 0.05 * size), (x - 0.1 * size, y - 0.5 * size),
                  (x + 0.8 * size, y + 0.8 * size)]
        points = [(px + rng.normal(0, 0.3), py + rng.normal(0, 0.3)) for px, py in points]
        light = style == "light-tick"
        pen.stroke(points, rng.uniform(0.6, 0.9) if light else rng.uniform(0.8, 1.4),
                   rng.uniform(0.5, 0.7) if light else rng.uniform(0.85, 0.95))
    elif style == "cross":
        k = r * rng.uniform(0.6, 1.1)
        width = rng.uniform(0.8, 1.3)
        pen.stroke([(x - k, y - k), (x + k, y + k)], width)
        pen.stroke([(x - k, y + k + rng.normal(0, 0.4)), (x + k, y - k)], width)
    elif style == "circle":
        # Circled, not filled ("khoanh tròn"): a loose loop around the printed ring.
        radius = r + rng.uniform(1.6, 2.8)
        start, sweep = rng.uniform(0, 2 * np.pi), rng.uniform(1.8, 2.15) * np.pi
        angles = start + np.linspace(0, sweep, 40)
        pen.stroke([(x + radius * np.cos(a) * rng.uniform(0.97, 1.03),
                     y + radius * np.sin(a) * 0.95) for a in angles], rng.uniform(0.8, 1.2))


def erase(pen: Pen, bubble: dict[str, Any]) -> None:
    """What an eraser leaves of a filled bubble: a soft grey smear."""
    rng = pen.rng
    pen.blob(bubble["x"], bubble["y"], bubble["r"] * rng.uniform(0.9, 1.3),
             bubble["r"] * rng.uniform(0.8, 1.2), rng.uniform(0, 180), rng.uniform(0.18, 0.35),
             blur_pt=rng.uniform(0.6, 1.2), ink=np.float32([70, 70, 70]))


def stray(pen: Pen, bubbles: list[dict[str, Any]]) -> None:
    """A stroke that is no answer — in the question text, the margin, under a row — kept
    clear of every bubble (a stroke through a bubble would be a mark, not a stray)."""
    rng = pen.rng
    for _ in range(20):
        x0, y0, length = rng.uniform(45, 300), rng.uniform(80, 760), rng.uniform(15, 120)
        wave = rng.uniform(2, 9)
        points = [(x0 + t * length, y0 + rng.normal(0, 1.5) + 4 * np.sin(t * wave))
                  for t in np.linspace(0, 1, 12)]
        if all(np.hypot(px - b["x"], py - b["y"]) > b["r"] + 4
               for px, py in points for b in bubbles):
            pen.stroke(points, rng.uniform(0.6, 1.2), rng.uniform(0.6, 0.9))
            return


def handwriting(pen: Pen, box: dict[str, Any]) -> None:
    """A few lines of scrawl inside the comment box."""
    rng = pen.rng
    for line in range(int(rng.integers(1, 4))):
        y = box["y"] + box["h"] - 18 - 20 * line
        x = box["x"] + 8
        end = box["x"] + rng.uniform(0.4, 0.95) * box["w"]
        points = []
        while x < end:
            points.append((x, y + rng.uniform(-3, 5)))
            x += rng.uniform(2, 5)
        pen.stroke(points, rng.uniform(0.6, 1.0))


def fill_page(image: np.ndarray, sheet: PrintedSheet, page: int,
              rng: np.random.Generator) -> None:
    """Put the sheet's marks that fall on ``page`` onto its 300-dpi rendering."""
    layout = sheet.layout
    pen = Pen(image, float(layout["page_size"][1]), rng)
    for code, bubbles in questions_of(layout).items():
        truth = sheet.truths[code]
        on_page = [b for b in bubbles if b["page"] == page]
        if not on_page or truth.value is None:
            continue
        chosen = [b for b in on_page if b["value"] == truth.value]
        others = [b for b in on_page if b["value"] != truth.value]
        if chosen and truth.style == "erasure" and others:
            erase(pen, others[int(rng.integers(len(others)))])
            mark(pen, chosen[0], "fill")
        elif chosen and truth.style == "double" and others:
            mark(pen, chosen[0], "fill")
            mark(pen, others[int(rng.integers(len(others)))], "fill")
        elif chosen:
            mark(pen, chosen[0], truth.style)
    if truth_any(sheet) and rng.random() < P_STRAY_PAGE:
        page_bubbles = [b for b in layout["bubbles"] if b["page"] == page]
        for _ in range(int(rng.integers(1, 3))):
            stray(pen, page_bubbles)
    comment = layout.get("comment") or {}
    if sheet.comment_written and comment.get("page") == page:
        handwriting(pen, comment)


def truth_any(sheet: PrintedSheet) -> bool:
    """True unless the sheet was left blank."""
    return any(t.value is not None for t in sheet.truths.values())
