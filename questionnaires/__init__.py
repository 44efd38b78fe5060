"""The survey instruments as data, and the small package that loads and validates them.

Nothing here imports Flask or the web application.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from .loader import instrument_from_definition, load_instrument, resolve_includes
from .model import (
    HEADLINE_METHODS,
    NOT_APPLICABLE,
    WEIGHTINGS,
    Block,
    Element,
    Instrument,
    Item,
    Option,
    ProfileQuestion,
    Scale,
    Wording,
)
from .scoring import ScoringRule, ScoringRules, load_scoring_rules
from .yamlfile import DefinitionError, read_yaml

INSTRUMENT_DIR = Path(__file__).parent / "instruments"
SCORING_DIR = Path(__file__).parent / "scoring"
EXAMPLE_SCORING_FILE = SCORING_DIR / "par-example.yaml"


def instrument_files(folder: Path = INSTRUMENT_DIR) -> list[Path]:
    """The instrument files of a folder (shared include files are skipped)."""
    return sorted(p for p in folder.glob("*.yaml") if p.name != "common.yaml")


@cache
def shipped_instruments() -> dict[str, Instrument]:
    """The instruments shipped with the platform, by code."""
    instruments = [load_instrument(path) for path in instrument_files()]
    return {instrument.code: instrument for instrument in instruments}


def resolved_definition(path: str | Path) -> dict:
    """The definition of an instrument file with its include merged, as stored in the database."""
    path = Path(path)
    return resolve_includes(read_yaml(path), path.parent).data


__all__ = [
    "EXAMPLE_SCORING_FILE", "HEADLINE_METHODS", "INSTRUMENT_DIR", "NOT_APPLICABLE",
    "WEIGHTINGS", "Block", "DefinitionError", "Element", "Instrument", "Item", "Option",
    "ProfileQuestion", "Scale", "ScoringRule", "ScoringRules", "Wording", "instrument_files",
    "instrument_from_definition", "load_instrument", "load_scoring_rules",
    "resolved_definition", "shipped_instruments",
]
