"""Instrument versions in the database, and their parsed dataclass form."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from questionnaires import (
    Instrument,
    instrument_files,
    instrument_from_definition,
    resolved_definition,
)

from ...errors import DomainError
from ...extensions import db
from ...models import Campaign, InstrumentVersion, utcnow


def definition_digest(definition: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON form of a definition."""
    canonical = json.dumps(definition, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Publication:
    """A definition's published row, and whether this call added it."""

    row: InstrumentVersion
    created: bool


def publish_definition(definition: dict[str, Any], origin: str, fix: str) -> Publication:
    """Publish a resolved definition unless its (code, version) is already in (caller commits).

    The same content again publishes nothing. Other content under a published (code,
    version) is refused, ``fix`` telling what to do: the wording people answered must never
    change under their answers. "The same" is the same definition or the same parsed
    instrument (an XLSForm read back holds the YAML's instrument in another layout).
    """
    instrument = instrument_from_definition(definition, origin=origin)
    digest = definition_digest(definition)
    row = db.session.scalar(select(InstrumentVersion).filter_by(
        code=instrument.code, version=instrument.version))
    if row is None:
        row = InstrumentVersion(code=instrument.code, version=instrument.version,
                                title=instrument.title, definition=definition,
                                digest=digest, published_at=utcnow())
        db.session.add(row)
        return Publication(row, created=True)
    if row.digest != digest and instrument_of(row) != instrument:
        raise DomainError(f"{origin}: bộ phiếu {instrument.label} đã công bố với nội dung "
                          f"khác; {fix}")
    return Publication(row, created=False)


def sync_shipped_instruments() -> list[InstrumentVersion]:
    """Publish every shipped instrument file not yet in the database (caller commits).

    A file whose (code, version) is already published with other content is refused.
    """
    return [publish_definition(resolved_definition(path), path.name,
                               "hãy tăng 'version' thay vì sửa bản đã công bố.").row
            for path in instrument_files()]


def published_version(code: str, version: int | None = None) -> InstrumentVersion | None:
    """The given version of an instrument, or its latest published one."""
    query = select(InstrumentVersion).filter(InstrumentVersion.code == code,
                                             InstrumentVersion.published_at.is_not(None))
    if version is not None:
        query = query.filter(InstrumentVersion.version == version)
    return db.session.scalar(query.order_by(InstrumentVersion.version.desc()).limit(1))


def instrument_of(row: InstrumentVersion) -> Instrument:
    """The dataclass form of a stored version (parsed once per process)."""
    key = (row.id, row.digest)
    if key not in _parsed:
        _parsed[key] = instrument_from_definition(row.definition, origin=row.label)
    return _parsed[key]


def campaign_blocks(campaign: Campaign) -> tuple[str, ...]:
    """The campaign's switched-on optional blocks that its instrument version has, in the
    instrument's order: the one list the form, the sheets, entry, import and exports use."""
    wanted = set(campaign.optional_blocks or ())
    instrument = instrument_of(campaign.instrument_version)
    return tuple(block.code for block in instrument.blocks if block.code in wanted)


# Published versions never change, and there are only a handful of them.
_parsed: dict[tuple[int, str], Instrument] = {}
