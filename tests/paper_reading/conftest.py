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
