"""One Vietnamese formatting module (issue 11): half-up numbers with a decimal comma and
local dd/mm/yyyy HH:MM moments, the same on the progress page, the workbook and the PDF."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pypdfium2
import pytest
from openpyxl import load_workbook

from survey_app.domain.results.exports import write_report, write_workbook
from survey_app.support.formatting import (
    count_text,
    date_text,
    datetime_text,
    number_text,
    percent_text,
    seconds_text,
)

#: 18:56 UTC on 02/12 is 01:56 on 03/12 in Hà Nội (UTC+7, no daylight saving).
LATE_UTC = datetime(2026, 12, 2, 18, 56, 30, tzinfo=UTC)


@pytest.mark.parametrize(("value", "decimals", "text"), [
    (2.5, 0, "3"),            # half-up, not Python's half-to-even (which gives 2)
    (12.5, 0, "13"),
    (1234.5, 1, "1.234,5"),
    (83.945, 2, "83,95"),     # the decimal a person reads, not the binary float's 83.9449…
    (1234567, 0, "1.234.567"),
    (None, 0, "—"),
    (float("nan"), 1, "—"),
])
def test_numbers_read_the_vietnamese_way(value, decimals, text):
    assert number_text(value, decimals) == text


def test_counts_percents_and_dates():
    assert count_text(2000) == "2.000"
    assert percent_text(83.945) == "83,95%"
    assert date_text(date(2026, 12, 3)) == "03/12/2026"
    assert date_text(None) == "—"


def test_moments_are_local_time():
    assert datetime_text(LATE_UTC) == "03/12/2026 01:56"
    assert seconds_text(LATE_UTC) == "03/12/2026 01:56:30"
    # a naive moment is UTC, as the database keeps it
    assert datetime_text(LATE_UTC.replace(tzinfo=None)) == "03/12/2026 01:56"


def test_the_workbook_and_the_report_stamp_local_time(results):
    results = {**results, "computed_at": LATE_UTC.isoformat()}
    stream = io.BytesIO()
    write_workbook(results, stream)
    sheet = load_workbook(io.BytesIO(stream.getvalue()))["Phương pháp"]
    rows = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert rows["Thời điểm tính"] == "03/12/2026 01:56 (giờ Việt Nam)"
    stream = io.BytesIO()
    write_report(results, stream)
    document = pypdfium2.PdfDocument(stream.getvalue())
    text = "".join(page.get_textpage().get_text_range() for page in document)
    document.close()
    assert "Thời điểm tính: 03/12/2026 01:56 (giờ Việt Nam)" in " ".join(text.split())
