"""Names and comments typed by people, end to end into the results pages and downloads: shown as
text, inert in CSV and XLSX, printed (never fetched) in the PDF report."""

from __future__ import annotations

import csv
import io
import socket
import unicodedata

import openpyxl
import pytest
from sqlalchemy import select

from survey_app.domain.results import presented as data
from survey_app.domain.results.exports.safety import is_dangerous
from survey_app.extensions import db
from survey_app.models import Unit
from tests.badinput.conftest import FORMULAS, MARKUP, SQL, UNICODE, assert_shown_as_text, cleaned
from tests.staff.staff_support import pdf_texts

#: Unit names typed into the admin form, one unit each.
UNIT_NAMES = FORMULAS + MARKUP[:3] + [MARKUP[5], SQL[0]]
#: Comments of the first unit's responses, as the write paths store them (cleaned).
COMMENTS = [cleaned(text) for text in FORMULAS + MARKUP + SQL + UNICODE[:3]]


@pytest.fixture
def evil(client, admin, make_campaign, add_responses):
    """Units named by the admin form with hostile names, their responses and comments."""
    for number, name in enumerate(UNIT_NAMES):
        reply = client.post("/admin/units/new", data={"code": f"dv-{number}", "name": name,
                                                      "kind": "commune", "parent_id": "0"})
        assert reply.status_code == 302
    db.session.rollback()
    units = list(db.session.scalars(select(Unit).order_by(Unit.id)))
    campaign = make_campaign(units, code="dot-thu")
    add_responses(campaign, units[0], len(COMMENTS), comments=COMMENTS)
    for number, unit in enumerate(units[1:], 2):
        add_responses(campaign, unit, 3, seed=number)
    return campaign, units


def inert(value: str) -> bool:
    """Safe in a spreadsheet cell: not a formula, or neutralised with an apostrophe."""
    return not is_dangerous(value) or value.startswith("'") or _number(value)


def _number(value: str) -> bool:
    try:
        float(value.replace(",", "."))
    except ValueError:
        return False
    return True


def test_csv_download_neutralises_formulas(client, evil):
    reply = client.get("/results/download/csv")
    assert reply.status_code == 200
    rows = list(csv.reader(io.StringIO(reply.get_data().decode("utf-8-sig"), newline="")))
    cells = [cell for row in rows for cell in row]
    assert all(inert(cell) for cell in cells), [c for c in cells if not inert(c)]
    for name in UNIT_NAMES:
        expected = "'" + cleaned(name) if is_dangerous(cleaned(name)) else cleaned(name)
        assert expected in cells, name


@pytest.mark.parametrize("raw", ["0", "1"])
def test_xlsx_downloads_keep_formulas_as_inert_text(client, evil, raw):
    reply = client.get(f"/results/download/xlsx?raw={raw}")
    assert reply.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(reply.get_data()))
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.data_type == "s"
                    assert inert(cell.value), (sheet.title, cell.coordinate, cell.value)
                    texts.append(cell.value)
    wanted = UNIT_NAMES + (COMMENTS if raw == "1" else [])
    for text in wanted:
        text = cleaned(text)
        assert ("'" + text if is_dangerous(text) else text) in texts, text


def test_pdf_report_prints_names_literally_and_fetches_nothing(client, evil, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError(f"the PDF report tried to connect: {args}")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    reply = client.get("/results/download/pdf")
    assert reply.status_code == 200 and reply.mimetype == "application/pdf"
    text = "".join("".join(pdf_texts(reply.get_data())).split())
    for name in UNIT_NAMES:
        assert "".join(cleaned(name).split()) in text, name


def test_unit_page_shows_comments_as_text_and_searches_them_literally(client, evil):
    _, units = evil
    page = client.get(f"/results/unit/{units[0].code}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for comment in COMMENTS:
        assert_shown_as_text(html, cleaned(comment))
    nfd = unicodedata.normalize("NFD", "nhiệt tình")
    needles = ["%", "_", "đúng_hạn", "DROP TABLE", "<script>", "nhiet tinh", nfd, "'", "\\"]
    for needle in needles:
        count = sum(1 for c in COMMENTS if needle_matches(needle, cleaned(c)))
        assert 1 <= count < len(COMMENTS), needle  # a LIKE wildcard would match them all
        assert data.comments(evil[0], units[0], needle)[1] == count, needle
    for needle in ["%", nfd]:  # the page itself (each one recomputes the results: keep few)
        found = client.get(f"/results/unit/{units[0].code}", query_string={"q": needle})
        assert found.status_code == 200
        count = sum(1 for c in COMMENTS if needle_matches(needle, cleaned(c)))
        assert f"{count} ý kiến khớp với" in found.get_data(as_text=True), needle


def needle_matches(needle: str, text: str) -> bool:
    """The documented matching (case and diacritics ignored), computed here for each comment."""
    return data.fold_accents(" ".join(needle.split())) in data.fold_accents(text)


def test_a_unit_code_with_a_nul_is_a_404(client, evil):
    assert client.get("/results/unit/dv-0%00").status_code == 404
