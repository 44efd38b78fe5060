"""Mark reading, measured: print sheets, fill them as people do, degrade them, read them back.

Run: ``.venv/bin/python -m bench.bench_omr [--sheets 15] [--quick] [--seed 2026]``.

Prints batches of the shipped instruments (``sipas-2640``; ``sipas-1001-dvhcc`` with both
optional blocks) with the real sheet code, renders every page at 300 dpi (pdfium), fills the
bubbles (``bench/omr_synth.py``: dark fills, scribbles, ticks, crosses, light ticks, pencil,
erasures, double marks, stray strokes, comments, one blank sheet in eight) and makes of each
page a clean 300-dpi scan, a degraded scan (150/200/300 dpi, ±5°, blur, noise, JPEG 40–90,
one in ten upside down) and a phone photo (``bench/omr_degrade.py``); one page in six is
also scanned with a strip cut off (it must be refused), and one in four drawn again with up
to three answers circled instead of filled (they must go to review). Every image is read by
``survey_app.domain.paper.reading`` and compared with what was drawn. Last, a scanner-like
PDF of 200-dpi scans is read page by page for the time per page.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from importlib.metadata import version
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image

from bench.omr_degrade import photo, scan
from bench.omr_synth import (
    RENDER_DPI,
    PrintedSheet,
    choose_truths,
    fill_page,
    print_batch,
)
from questionnaires import shipped_instruments
from survey_app.domain.paper.reading import (
    PageImage,
    PageResult,
    SheetContext,
    Status,
    read_file,
    read_page,
    sheet_lookup,
)

CONFIGS = (("sipas-2640", ()), ("sipas-1001-dvhcc", ("harassment", "expectations")))
KINDS = ("clean 300 dpi scan", "scan 150–300 dpi", "phone photo", "cropped scan",
         "circled answers (extra)")


@dataclass
class Tally:
    """What the reader did with one kind of image."""

    pages: int = 0
    rejected: Counter = field(default_factory=Counter)
    misidentified: int = 0
    answers: int = 0
    accepted: int = 0
    errors: list[str] = field(default_factory=list)
    review: Counter = field(default_factory=Counter)
    #: What had been drawn on the questions sent to review.
    reviewed_styles: Counter = field(default_factory=Counter)
    rejected_notes: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def add(self, result: PageResult, sheet: PrintedSheet, page: int, note: str) -> None:
        self.pages += 1
        self.seconds.append(result.seconds)
        if result.status is Status.REJECTED:
            self.rejected[str(result.rejection)] += 1
            self.rejected_notes.append(f"{note}: {result.reason}")
            return
        if (result.serial, result.sheet_page) != (sheet.serial, page):
            self.misidentified += 1
            return
        for question in result.questions:
            truth = sheet.truths[question.code]
            self.answers += 1
            if question.needs_review:
                self.review[str(question.decision)] += 1
                self.reviewed_styles[truth.style] += 1
                continue
            self.accepted += 1
            if truth.ambiguous or question.value != truth.value:
                fills = " ".join(f"{b.value}:{b.fill:.2f}" for b in question.bubbles)
                self.errors.append(f"{note} · {question.code} drawn {truth.value!r} "
                                   f"({truth.style}) read {question.value!r} [{fills}]")


def degrade(kind: str, page: np.ndarray, rng: np.random.Generator, index: int):
    """The ``kind`` of image of a filled 300-dpi page (``index`` picks the rarer variants)."""
    if kind == KINDS[0]:
        return scan(page, rng, dpi=300, max_rotation=0.5, blur=0.0, quality=None, noise=1.0)
    if kind == KINDS[1]:
        return scan(page, rng, dpi=(150, 200, 300)[index % 3], turn=180 * (index % 10 == 9))
    if kind == KINDS[2]:
        return photo(page, rng, turn=180 * (index % 10 == 4))
    return scan(page, rng, dpi=200, max_rotation=2.0, crop=True)


def _circled(sheet: PrintedSheet, page_no: int, rng: np.random.Generator) -> PrintedSheet:
    """The sheet with up to three answers of the page circled instead of filled."""
    on_page = {b.get("item") or b["question"] for b in sheet.layout["bubbles"]
               if b["page"] == page_no}
    answered = sorted(code for code in on_page if sheet.truths[code].value is not None)
    chosen = set(rng.choice(answered, size=min(3, len(answered)), replace=False)) \
        if answered else set()
    truths = {code: replace(t, style="circle") if code in chosen else t
              for code, t in sheet.truths.items()}
    return replace(sheet, truths=truths)


def render_page(document: pdfium.PdfDocument, number: int) -> np.ndarray:
    """One page of the printed batch at 300 dpi, BGR."""
    bitmap = document[number].render(scale=RENDER_DPI / 72)
    return cv2.cvtColor(bitmap.to_numpy(), cv2.COLOR_RGB2BGR)


def run(sheets_per_instrument: int, seed: int,
        keep: Path | None = None) -> tuple[dict[str, Tally], list, list]:
    """Print, fill, degrade and read; the tallies, the 200-dpi scans and their truths.

    ``keep``: a folder where the images that were refused or misread are written.
    """
    rng = np.random.default_rng(seed)
    tallies = {kind: Tally() for kind in KINDS}
    timing_pages: list[tuple[bytes, PrintedSheet, int]] = []
    contexts: list[SheetContext] = []
    blank_pages = blank_null = 0
    index = 0
    for code, blocks in CONFIGS:
        instrument = shipped_instruments()[code]
        sheets, pdf = print_batch(instrument, list(blocks), sheets_per_instrument, rng)
        contexts += [SheetContext(s.serial, s.layout, s.item_codes, s.token) for s in sheets]
        lookup = sheet_lookup(contexts)
        per_sheet = sheets[0].layout["pages_per_sheet"]
        document = pdfium.PdfDocument(pdf)
        for number, sheet in enumerate(sheets):
            choose_truths(sheet, rng, blank=number % 8 == 2)
            for page_no in range(1, per_sheet + 1):
                page = render_page(document, number * per_sheet + page_no - 1)
                fill_page(page, sheet, page_no, rng)
                index += 1
                kinds = KINDS[:4] if index % 6 == 0 else KINDS[:3]
                for kind in kinds:
                    degraded = degrade(kind, page, rng, index)
                    gray = cv2.cvtColor(degraded.image, cv2.COLOR_BGR2GRAY)
                    result = read_page(PageImage(f"{code}#{number}", page_no, gray,
                                                 degraded.dpi), lookup)
                    errors = len(tallies[kind].errors)
                    tallies[kind].add(result, sheet, page_no, f"{kind}: {degraded.note}")
                    if keep and kind != KINDS[3] and (
                            result.status is Status.REJECTED or
                            len(tallies[kind].errors) > errors):
                        cv2.imwrite(str(keep / f"{index:04d}-{kind.split()[0]}.jpg"), gray)
                    if number % 8 == 2 and result.status is not Status.REJECTED:
                        blank_pages += 1
                        blank_null += all(a is None for a in result.answers().values()) \
                            and all(a is None for a in result.profile().values())
                if index % 4 == 0:
                    circled = _circled(sheet, page_no, rng)
                    redrawn = render_page(document, number * per_sheet + page_no - 1)
                    fill_page(redrawn, circled, page_no, rng)
                    degraded = scan(redrawn, rng, dpi=200)
                    gray = cv2.cvtColor(degraded.image, cv2.COLOR_BGR2GRAY)
                    result = read_page(PageImage(f"{code}#{number}", page_no, gray, 200), lookup)
                    tallies[KINDS[4]].add(result, circled, page_no, f"circled: {degraded.note}")
                if len(timing_pages) < 24:
                    degraded = scan(page, rng, dpi=200)
                    _, jpeg = cv2.imencode(".jpg", degraded.image,
                                            [cv2.IMWRITE_JPEG_QUALITY, 85])
                    timing_pages.append((jpeg.tobytes(), sheet, page_no))
        document.close()
    tallies["blank"] = Tally(pages=blank_pages, accepted=blank_null)
    return tallies, timing_pages, contexts


def time_pdf(pages: list[tuple[bytes, PrintedSheet, int]], contexts: list[SheetContext],
             ) -> tuple[float, float, Tally]:
    """Seconds per page (wall, CPU) reading a scanner-like PDF of 200-dpi JPEG pages."""
    images = [Image.open(io.BytesIO(jpeg)) for jpeg, _, _ in pages]
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", save_all=True, append_images=images[1:], resolution=200.0,
                   quality=92)
    lookup = sheet_lookup(contexts)
    tally = Tally()
    wall, cpu = time.perf_counter(), time.process_time()
    results = list(read_file(buffer.getvalue(), "scan.pdf", lookup, dpi=200))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    for result, (_, sheet, page_no) in zip(results, pages, strict=True):
        tally.add(result, sheet, page_no, f"pdf page {result.page}")
    return wall / len(pages), cpu / len(pages), tally


def _rate(part: int, whole: int) -> str:
    return f"{part} ({100 * part / whole:.2f}%)" if whole else "–"


def report(tallies: dict[str, Tally], timing: tuple[float, float, Tally], seed: int,
           sheets: int) -> None:
    """Print the machine, the table of figures and every error among accepted answers."""
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")  # noqa: SIM115
                if line.startswith("model name")), platform.processor())
    print(f"Machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
          f"OpenCV {cv2.__version__}, zxing-cpp {version('zxing-cpp')}, numpy {np.__version__}"
          f"; load average {os.getloadavg()[0]:.1f}")
    print(f"Seed {seed}, {sheets} sheets per instrument ({', '.join(c for c, _ in CONFIGS)})\n")
    print("| images | pages | rejected | answers | auto-accepted | errors among accepted "
          "| review | s/page (median, max) |")
    print("|---|---|---|---|---|---|---|---|")
    for kind in KINDS:
        t = tallies[kind]
        if not t.pages:
            continue
        seconds = f"{np.median(t.seconds):.2f}, {max(t.seconds):.2f}" if t.seconds else "–"
        rejected = f"{sum(t.rejected.values())}" + (
            f" ({', '.join(f'{k} {v}' for k, v in sorted(t.rejected.items()))})"
            if t.rejected else "")
        print(f"| {kind} | {t.pages} | {rejected} | {t.answers} | {t.accepted} | "
              f"{_rate(len(t.errors), t.accepted)} | {_rate(sum(t.review.values()), t.answers)} "
              f"| {seconds} |")
    per_page, cpu_page, pdf_tally = timing
    print(f"\n200-dpi scanner PDF, {pdf_tally.pages} pages rendered at 200 dpi and read: "
          f"{per_page:.3f} s/page wall, {cpu_page:.3f} s/page CPU; "
          f"errors {len(pdf_tally.errors)}, review {sum(pdf_tally.review.values())}, "
          f"rejected {sum(pdf_tally.rejected.values())}")
    blank = tallies["blank"]
    print(f"Blank sheets: {blank.accepted} of {blank.pages} pages read (not refused) gave "
          f"every answer null")
    for kind in KINDS:
        t = tallies[kind]
        if t.review:
            print(f"Review, {kind}: " + ", ".join(f"{k} {v}" for k, v in t.review.most_common())
                  + "; drawn as: " + ", ".join(f"{k} {v}"
                                               for k, v in t.reviewed_styles.most_common()))
        if kind not in (KINDS[3],):
            for note in t.rejected_notes:
                print(f"Rejected, {note}")
        if t.misidentified:
            print(f"MISIDENTIFIED pages, {kind}: {t.misidentified}")
        for error in t.errors:
            print(f"ERROR {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=15, help="sheets per instrument")
    parser.add_argument("--quick", action="store_true", help="3 sheets per instrument")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="write refused or misread images there (e.g. bench/out)")
    args = parser.parse_args()
    sheets = 3 if args.quick else args.sheets
    cv2.setNumThreads(1)  # the figures are per core; the machine is shared
    started = time.perf_counter()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    tallies, timing_pages, contexts = run(sheets, args.seed, args.keep)
    timing = time_pdf(timing_pages, contexts)
    report(tallies, timing, args.seed, sheets)
    print(f"\nWhole run {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
