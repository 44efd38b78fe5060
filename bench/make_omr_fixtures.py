"""Write the mark-reading test fixtures: a small seeded set of filled, degraded sheet images.

Run: ``.venv/bin/python -m bench.make_omr_fixtures [--out tests/paper_reading/fixtures]``.

Grey JPEGs (a few hundred kB each) and ``manifest.json``: the batches' layouts, each sheet's
serial, token and true marks, and per image what it shows and what reading must do with
it. The same seed and library versions give the same files; the tests only read them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np

from bench.omr_degrade import Degraded, photo, scan
from bench.omr_synth import (
    RENDER_DPI,
    PrintedSheet,
    Truth,
    choose_truths,
    fill_page,
    print_batch,
    render_pages,
)
from questionnaires import shipped_instruments
from survey_app.support.qr import qr_png

SEED = 20261203
OUT = Path(__file__).resolve().parent.parent / "tests" / "paper_reading" / "fixtures"
#: Fixture photos are smaller than a phone's (the set must stay small), still ≈ 190 dpi.
PHOTO_FRAME = (1900, 2560)


def _bent(page: np.ndarray, amplitude_pt: float) -> np.ndarray:
    """The page bulging in the middle (a sheet not pressed flat): corners stay, rows move."""
    height, width = page.shape[:2]
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    bulge = np.sin(np.pi * xs / width) * np.sin(np.pi * ys / height)
    shift = np.float32(amplitude_pt * RENDER_DPI / 72) * bulge ** 2
    return cv2.remap(page, xs, ys + shift, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _not_a_sheet(rng: np.random.Generator) -> np.ndarray:
    """A photo of something else: soft shapes, text-like strokes, black squares in corners."""
    image = np.full((2200, 1600), 200, np.uint8)
    for _ in range(40):
        centre = tuple(int(v) for v in rng.integers(0, (1600, 2200)))
        cv2.circle(image, centre, int(rng.integers(10, 200)), int(rng.integers(0, 255)), -1)
    for corner in ((60, 60), (1480, 60), (60, 2080), (1480, 2080)):
        cv2.rectangle(image, corner, (corner[0] + 50, corner[1] + 50), 0, -1)
    return cv2.GaussianBlur(image, (0, 0), 1.5)


def _poster(rng: np.random.Generator) -> np.ndarray:
    """A page showing another QR code of the platform (a counter's poster)."""
    code = cv2.imdecode(np.frombuffer(qr_png("https://khaosat.example.vn/s/quaygiaodich01",
                                             box_size=12), np.uint8), cv2.IMREAD_GRAYSCALE)
    image = np.full((2339, 1654), 250, np.uint8)
    image[600:600 + code.shape[0], 400:400 + code.shape[1]] = code
    return image


def _save(out: Path, name: str, image: np.ndarray, quality: int = 80) -> None:
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    ok, jpeg = cv2.imencode(".jpg", gray, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    (out / name).write_bytes(jpeg.tobytes())


def _sheet_entry(name: str, sheet: PrintedSheet) -> dict:
    return {"name": name, "batch": sheet.instrument, "serial": sheet.serial,
            "token": sheet.token, "comment_written": sheet.comment_written,
            "truths": {code: {"kind": t.kind, "value": t.value, "style": t.style,
                              "ambiguous": t.ambiguous} for code, t in sheet.truths.items()}}


def make(out: Path) -> dict:
    """Write every fixture image into ``out``; return the manifest."""
    rng = np.random.default_rng(SEED)
    manifest: dict = {"seed": SEED, "generator": "bench/make_omr_fixtures.py", "batches": {},
                      "sheets": [], "images": []}
    sipas, sipas_pdf = print_batch(shipped_instruments()["sipas-2640"], [], 4, rng)
    dvhcc, dvhcc_pdf = print_batch(shipped_instruments()["sipas-1001-dvhcc"],
                                   ["harassment", "expectations"], 1, rng)
    for sheets in (sipas, dvhcc):
        manifest["batches"][sheets[0].instrument] = {"layout": sheets[0].layout,
                                                     "item_codes": list(sheets[0].item_codes)}
    named = dict(zip("ABCD", sipas, strict=True)) | {"E": dvhcc[0]}
    for name, sheet in named.items():
        choose_truths(sheet, rng, blank=name == "D")
    named["A"].comment_written = True
    # C: an erasure (grey smear beside the new mark) and a double mark, on page 1.
    c = named["C"]
    c.truths["tc3"] = Truth("tc3", "item", 4, "erasure")
    c.truths["tt2"] = Truth("tt2", "item", 5, "double", ambiguous=True)
    # …and on page 2, answers circled instead of filled ("khoanh tròn").
    for code in ("pa2", "gender"):
        value = c.truths[code].value if c.truths[code].value is not None else \
            next(b["value"] for b in c.layout["bubbles"] if code in (b.get("item"),
                                                                     b.get("question")))
        c.truths[code] = Truth(code, c.truths[code].kind, value, "circle")
    pages = {("sipas-2640", i): p for i, p in enumerate(render_pages(sipas_pdf))}
    pages |= {("sipas-1001-dvhcc", i): p for i, p in enumerate(render_pages(dvhcc_pdf))}

    def filled(name: str, page_no: int) -> np.ndarray:
        sheet = named[name]
        index = "ABCD".index(name) if name != "E" else 0
        per_sheet = sheet.layout["pages_per_sheet"]
        image = pages[(sheet.instrument, index * per_sheet + page_no - 1)].copy()
        fill_page(image, sheet, page_no, np.random.default_rng(SEED + 7 * index + page_no))
        return image

    def add(file: str, name: str | None, page: int | None, made: Degraded | np.ndarray,
            expect: str, rejection: str | None = None, quality: int = 80) -> None:
        image, note, dpi = (made.image, made.note, made.dpi) if isinstance(made, Degraded) \
            else (made, "", None)
        _save(out, file, image, quality)
        manifest["images"].append({"file": file, "sheet": name, "page": page, "note": note,
                                   "dpi": dpi, "expect": expect, "rejection": rejection})

    a1, a2, b1, b2 = filled("A", 1), filled("A", 2), filled("B", 1), filled("B", 2)
    add("clean-300-A1.jpg", "A", 1, scan(a1, rng, dpi=300, max_rotation=0.5, blur=0,
                                        quality=None, noise=1), "clean", quality=85)
    add("clean-200-A2.jpg", "A", 2, scan(a2, rng, dpi=200, max_rotation=0.5, blur=0,
                                        quality=None, noise=1), "clean")
    add("scan-150-B1.jpg", "B", 1, scan(b1, rng, dpi=150, quality=(55, 65)), "read")
    add("photo-B2.jpg", "B", 2, photo(b2, rng, frame=PHOTO_FRAME, quality=(65, 75)), "read")
    add("photo-upside-down-E1.jpg", "E", 1,
        photo(filled("E", 1), rng, frame=PHOTO_FRAME, quality=(65, 75), turn=180),
        "read-or-reject")
    add("scan-upside-down-A1.jpg", "A", 1, scan(a1, rng, dpi=200, turn=180, quality=(70, 80)),
        "read-or-reject")
    add("erasure-double-C1.jpg", "C", 1, scan(filled("C", 1), rng, dpi=200, max_rotation=1,
                                             quality=(75, 85)), "read")
    add("blank-D1.jpg", "D", 1, scan(filled("D", 1), rng, dpi=200, quality=(75, 85)), "read")
    cropped = scan(a1, rng, dpi=200, max_rotation=0.5, quality=(75, 85))
    add("cropped-A1.jpg", "A", 1, Degraded(cropped.image[:-200], cropped.dpi,
                                           cropped.note + ", bottom 200 px cut off"),
        "reject", "no-marks")
    bent = scan(_bent(b1, 9.0), rng, dpi=200, max_rotation=0.5, quality=(75, 85))
    add("bent-B1.jpg", "B", 1, Degraded(bent.image, bent.dpi, bent.note + ", bent 9 pt"),
        "reject", "rows")
    add("low-100dpi-B2.jpg", "B", 2, scan(b2, rng, dpi=100, max_rotation=0.5, quality=(85, 90)),
        "reject", "too-small")
    add("not-a-sheet.jpg", None, None, _not_a_sheet(rng), "reject", "no-code")
    add("poster-qr.jpg", None, None, _poster(rng), "reject", "foreign-code")
    add("circled-C2.jpg", "C", 2, scan(filled("C", 2), rng, dpi=200, quality=(75, 85)), "read")
    manifest["sheets"] = [_sheet_entry(name, sheet) for name, sheet in named.items()]
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    cv2.setNumThreads(1)
    manifest = make(args.out)
    (args.out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1)
                                            + "\n", encoding="utf-8")
    total = sum(p.stat().st_size for p in args.out.iterdir())
    print(f"{len(manifest['images'])} images + manifest in {args.out}: {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
