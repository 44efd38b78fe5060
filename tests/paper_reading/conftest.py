"""Fixtures of the mark-reading tests: the seeded fixture images, their truths, a lookup.

The images and ``manifest.json`` under ``fixtures/`` are written by
``bench/make_omr_fixtures.py`` (same seed, same files); each image is read once per session.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from survey_app.domain.paper.reading import (
    Lookup,
    PageResult,
    SheetContext,
    read_file,
    sheet_lookup,
)

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass(frozen=True)
class FixtureImage:
    """One fixture image, what it shows and what reading it must give."""

    file: str
    sheet: dict[str, Any] | None
    page: int | None
    expect: str
    rejection: str | None
    note: str

    @property
    def data(self) -> bytes:
        return (FIXTURES / self.file).read_bytes()


@pytest.fixture(scope="session")
def manifest() -> dict[str, Any]:
    return json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def contexts(manifest) -> list[SheetContext]:
    """What the platform knows of each printed fixture sheet."""
    return [SheetContext(sheet["serial"], manifest["batches"][sheet["batch"]]["layout"],
                         tuple(manifest["batches"][sheet["batch"]]["item_codes"]), sheet["token"])
            for sheet in manifest["sheets"]]


@pytest.fixture(scope="session")
def lookup(contexts) -> Lookup:
    return sheet_lookup(contexts)


@pytest.fixture(scope="session")
def images(manifest) -> dict[str, FixtureImage]:
    sheets = {sheet["name"]: sheet for sheet in manifest["sheets"]}
    return {entry["file"]: FixtureImage(entry["file"], sheets.get(entry["sheet"]),
                                        entry["page"], entry["expect"], entry["rejection"],
                                        entry["note"])
            for entry in manifest["images"]}


@pytest.fixture(scope="session")
def read_image(images, lookup) -> Callable[[str], PageResult]:
    """Read a fixture image (once per session) into its single page's result."""
    cache: dict[str, PageResult] = {}

    def read(file: str) -> PageResult:
        if file not in cache:
            [cache[file]] = list(read_file(images[file].data, file, lookup))
        return cache[file]
    return read


# -- the web application's side: printed batches in a database, uploads, review -------------

@dataclass(frozen=True)
class ScanDesk:
    """A unit, an open campaign, its unit staff member and the fixture sheets in a batch."""

    unit: Any
    campaign: Any
    user: Any
    #: Fixture sheet name (A–E) → serial.
    serials: dict[str, str]


def add_fixture_batches(manifest: dict[str, Any], campaign, unit, user) -> dict[str, str]:
    """The manifest's sheets printed for the campaign's instrument as the unit's batch of
    ``campaign`` (same serials, tokens and layout as printed): what ``create_batch`` would
    have stored for them. Sheets of another instrument (E) belong to no batch here."""
    from survey_app.extensions import db
    from survey_app.models import Sheet, SheetBatch

    serials = {}
    for name, batch_info in manifest["batches"].items():
        if name != campaign.instrument_version.code:
            continue
        sheets = [s for s in manifest["sheets"] if s["batch"] == name]
        batch = SheetBatch(campaign_id=campaign.id, unit_id=unit.id, sheet_count=len(sheets),
                           created_by_id=user.id, layout=batch_info["layout"])
        batch.sheets = [Sheet(serial=s["serial"], token=s["token"]) for s in sheets]
        db.session.add(batch)
        serials.update({s["name"]: s["serial"] for s in sheets})
    db.session.commit()
    return serials


@pytest.fixture
def scan_desk(manifest, make_unit, make_campaign, make_user, login_as) -> ScanDesk:
    """Unit staff of Xã Canh Hiển signed in, with the fixture sheets printed for the unit."""
    unit = make_unit("xa-canh-hien", "Xã Canh Hiển")
    campaign = make_campaign([unit], code="dot-2026")
    user, _ = make_user("canbo-ch", units=[unit])
    serials = add_fixture_batches(manifest, campaign, unit, user)
    login_as(user)
    return ScanDesk(unit, campaign, user, serials)


def fixture_bytes(*files: str) -> list[tuple[str, bytes]]:
    """Fixture images as an upload carries them: (file name, bytes)."""
    return [(file, (FIXTURES / file).read_bytes()) for file in files]


def pdf_of(*jpegs: bytes, dpi: int = 200) -> bytes:
    """A multi-page PDF of JPEG pages, as a scanner writes one."""
    import io

    from PIL import Image

    images = [Image.open(io.BytesIO(data)) for data in jpegs]
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return out.getvalue()


@dataclass(frozen=True)
class SynthSheet:
    """A freshly printed, filled and scanned sheet: its identity and what was marked."""

    serial: str
    token: str
    truths: dict[str, Any]
    #: Each page as a grey JPEG of a 200-dpi scan.
    pages: list[bytes]


@pytest.fixture(scope="session")
def synth_batch() -> tuple[dict[str, Any], list[SynthSheet]]:
    """Four sheets printed by the real sheet code, marked firmly (one clear mark on every
    question) and scanned at 200 dpi; the third carries a double mark on tc2, the fourth
    leaves the required respondent type blank. Seeded: the same images every run. Returns
    the batch layout and the sheets."""
    import cv2
    import numpy as np

    from bench.omr_degrade import scan
    from bench.omr_synth import Truth, fill_page, print_batch, questions_of, render_pages
    from questionnaires import shipped_instruments

    rng = np.random.default_rng(20261204)
    printed, pdf = print_batch(shipped_instruments()["sipas-2640"], [], 4, rng)
    layout = printed[0].layout
    for index, sheet in enumerate(printed):
        for code, bubbles in questions_of(layout).items():
            kind = "item" if "item" in bubbles[0] else "profile"
            values = [b["value"] for b in bubbles if b["value"] != 0]
            value = values[int(rng.integers(len(values)))]
            style = "double" if index == 2 and code == "tc2" else "fill"
            if index == 3 and code == "respondent_type":
                value, style = None, "blank"
            sheet.truths[code] = Truth(code, kind, value, style, ambiguous=style == "double")
    pages = render_pages(pdf)
    per_sheet = layout["pages_per_sheet"]
    made = []
    for index, sheet in enumerate(printed):
        jpegs = []
        for number in range(1, per_sheet + 1):
            image = pages[index * per_sheet + number - 1]
            fill_page(image, sheet, number, np.random.default_rng(index * 10 + number))
            degraded = scan(image, rng, dpi=200, max_rotation=1.0, blur=0.5, quality=None,
                            noise=1.0)
            gray = cv2.cvtColor(degraded.image, cv2.COLOR_BGR2GRAY)
            ok, jpeg = cv2.imencode(".jpg", gray, [cv2.IMWRITE_JPEG_QUALITY, 85])
            assert ok
            jpegs.append(jpeg.tobytes())
        made.append(SynthSheet(sheet.serial, sheet.token,
                               {c: t.value for c, t in sheet.truths.items()}, jpegs))
    return layout, made


def add_synth_batch(layout: dict[str, Any], sheets: list[SynthSheet], campaign, unit,
                    user) -> None:
    """The synthetic sheets as a batch of ``unit`` for ``campaign``."""
    from survey_app.extensions import db
    from survey_app.models import Sheet, SheetBatch

    batch = SheetBatch(campaign_id=campaign.id, unit_id=unit.id, sheet_count=len(sheets),
                       created_by_id=user.id, layout=layout)
    batch.sheets = [Sheet(serial=s.serial, token=s.token) for s in sheets]
    db.session.add(batch)
    db.session.commit()
