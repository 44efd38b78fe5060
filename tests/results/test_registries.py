"""One registry per concept (issue 11): a cut is named the same in the JSON, the CSV and the
workbook; the export formats offered are the ones approval stores; a campaign's optional
blocks are the same list for every reader, even one its instrument version does not have."""

from __future__ import annotations

import csv
import io
import random

import pytest
from openpyxl import load_workbook

from survey_app.domain.results.cuts import CUTS
from survey_app.domain.results.exports import FORMATS, write_csv, write_workbook
from survey_app.domain.results.exports.raw_responses import raw_response_rows
from survey_app.domain.results.results import compute_campaign_results
from survey_app.extensions import db
from survey_app.models import ResultSnapshot
from tests.results.counting_support import ITEMS_2640, populate


@pytest.fixture
def survey(make_unit, make_campaign):
    units = [make_unit("p-tnmt", "Phòng Tài nguyên và Môi trường"),
             make_unit("p-tu-phap", "Phòng Tư pháp")]
    campaign = make_campaign(units, code="2026")
    populate(campaign, units, random.Random(5), per_unit=12)
    return campaign


@pytest.mark.parametrize("name", list(CUTS))
def test_a_cut_has_one_name_in_the_json_the_csv_and_the_workbook(survey, name):
    results = compute_campaign_results(survey, by=name)
    assert results["by"]["label"] == CUTS[name].label
    stream = io.BytesIO()
    write_csv(results, stream)
    header = next(csv.reader(io.StringIO(stream.getvalue().decode("utf-8-sig"))))
    assert header[0] == CUTS[name].label
    stream = io.BytesIO()
    write_workbook(results, stream)
    workbook = load_workbook(io.BytesIO(stream.getvalue()))
    assert CUTS[name].title in workbook.sheetnames
    assert workbook[CUTS[name].title].cell(1, 1).value == CUTS[name].label


def test_every_download_format_is_stored_at_approval():
    stored = {column.name for column in ResultSnapshot.__table__.columns}
    assert set(FORMATS) <= stored


def test_a_block_the_instrument_lacks_is_left_out_of_the_raw_export(survey):
    # A campaign moved to an instrument without the "harassment" block keeps the code in its
    # settings; the raw export used to ask the instrument for it and fail.
    survey.optional_blocks = ["harassment"]
    db.session.commit()
    header = next(raw_response_rows(survey))
    items = [name for name in header if name in ITEMS_2640 or name.startswith("hs")]
    assert items == ITEMS_2640
