"""Publishing instrument versions: a new version joins the old ones, a changed one is refused."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from questionnaires import instrument_files, resolved_definition
from survey_app.domain.campaigns.instruments import (
    instrument_of,
    publish_definition,
    sync_shipped_instruments,
)
from survey_app.errors import DomainError
from survey_app.extensions import db
from survey_app.models import InstrumentVersion


def _vietnamese_only(value):
    if isinstance(value, dict):
        return {k: _vietnamese_only(v) for k, v in value.items() if not k.endswith("_en")}
    if isinstance(value, list):
        return [_vietnamese_only(v) for v in value]
    return value


def test_a_database_with_version_1_takes_the_english_version_beside_it(app):
    """Version 1 of the shipped instruments was their Vietnamese text alone."""
    old = []
    for path in instrument_files():
        definition = _vietnamese_only(copy.deepcopy(resolved_definition(path)))
        definition["version"] = 1
        old.append(publish_definition(definition, path.name, "").row)
    db.session.commit()
    rows = sync_shipped_instruments()
    db.session.commit()
    assert {(row.code, row.version) for row in rows} == {
        ("sipas-2640", 2), ("sipas-1001-dvhcc", 2)}
    stored = db.session.scalars(select(InstrumentVersion).order_by(
        InstrumentVersion.code, InstrumentVersion.version)).all()
    assert [(row.code, row.version) for row in stored] == [
        ("sipas-1001-dvhcc", 1), ("sipas-1001-dvhcc", 2), ("sipas-2640", 1), ("sipas-2640", 2)]
    first = instrument_of(next(row for row in old if row.code == "sipas-2640"))
    second = instrument_of(next(row for row in rows if row.code == "sipas-2640"))
    assert first.item("tc1").text == second.item("tc1").text  # the Vietnamese did not change
    assert first.item("tc1").text_en is None and second.item("tc1").text_en


def test_other_content_under_a_published_version_is_refused(app):
    path = instrument_files()[0]
    sync_shipped_instruments()
    db.session.commit()
    changed = copy.deepcopy(resolved_definition(path))
    changed["elements"][0]["items"][0]["text_en"] = "Something else"
    with pytest.raises(DomainError, match="đã công bố với nội dung khác; tăng version"):
        publish_definition(changed, path.name, "tăng version")
    assert sync_shipped_instruments()  # the unchanged files are still fine
