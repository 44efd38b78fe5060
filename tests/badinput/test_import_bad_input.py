"""CSV imports (responses: service and CLI; units: admin upload) under bad input: the whole
file refused with Vietnamese reasons and nothing written, or every row stored as cleaned."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from survey_app.domain.submissions.importing import ImportRejected, import_responses
from survey_app.extensions import db
from survey_app.models import Response, Unit
from survey_app.support.dates import today_local
from tests.badinput.conftest import (
    BAD_VALUES,
    IGNORED,
    MARKUP,
    TEXTS,
    assert_shown_as_text,
    changed_tables,
    cleaned,
    table_counts,
)
from tests.results.counting_support import ITEMS_2640

HEADER = ["unit_code", "channel", "respondent_type", "submitted_at", *ITEMS_2640, "comment"]
#: Cells refused in an item column (the "²" and Arabic digits are checked apart below).
#: Other scripts' digits, which ``int()`` reads: the import may take them for their value.
OTHER_DIGITS = ["١", "５"]
BAD_CELLS = [value for value in BAD_VALUES if value not in ("²", "\x00", *OTHER_DIGITS)] + [
    "NA5", "n/a"]
BAD_DATES = ["31/02/2026", "abc", "2026-13-40", "", "1/1/26"]
BAD_UNIT_CODES = ["'; DROP TABLE response;--", "%", "_", "<script>", "xa-khac", ""]
BAD_FILES = [
    b"",
    b"\xef\xbb\xbf",
    b"\xff\xfe" + "unit_code".encode("utf-16-le"),
    b"unit_code,respondent_type\n",
    b"unit_code,unit_code,respondent_type,submitted_at\n",
    b"=cmd|' /C calc'!A0,respondent_type,submitted_at\n",
    b'"unterminated\n',
    b"\x00\x00\x00",
]


def yesterday() -> str:
    """The district's yesterday: inside the campaign and, at any hour, in the past."""
    return (today_local() - timedelta(days=1)).strftime("%d/%m/%Y")


def csv_bytes(rows: list[dict[str, str]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return out.getvalue().encode()


def row(**changes: str) -> dict[str, str]:
    return {"unit_code": "xa-thu", "respondent_type": "ca_nhan", "submitted_at": yesterday(),
            **dict.fromkeys(ITEMS_2640, "4"), "comment": "Tốt", **changes}


def refused(place, data: bytes) -> list[str]:
    """Import ``data``; it must be refused whole. Returns the reasons."""
    with pytest.raises(ImportRejected) as rejected:
        import_responses(place.campaign, data, source="thu.csv")
    db.session.rollback()
    reasons = [str(problem) for problem in rejected.value.problems]
    assert reasons and all(reason for reason in reasons)
    return reasons


def test_bad_cells_refuse_the_whole_file(place):
    before = table_counts()
    for cell in BAD_CELLS:
        reasons = refused(place, csv_bytes([row(), row(tc1=cell)]))
        assert any("Dòng 3, cột tc1" in reason and "không hợp lệ" in reason
                   for reason in reasons), cell
    for when in BAD_DATES:
        assert any("submitted_at" in reason for reason in
                   refused(place, csv_bytes([row(submitted_at=when)])))
    for code in BAD_UNIT_CODES:
        assert any("unit_code" in reason for reason in
                   refused(place, csv_bytes([row(unit_code=code)])))
    for changes in [{"channel": "fax"}, {"respondent_type": "<script>"}, {"key": "a b"},
                    {"comment": "x" * 2001}]:
        header = [*HEADER, "key"] if "key" in changes else HEADER
        refused(place, csv_bytes([row(**changes)], header))
    assert changed_tables(before) == {}


def test_broken_files_are_refused_in_vietnamese(place):
    before = table_counts()
    for data in BAD_FILES:
        reasons = refused(place, data)
        assert any(word in " ".join(reasons) for word in ("tệp", "cột", "dòng", "thiếu")), data
    assert changed_tables(before) == {}


def test_a_superscript_digit_cell_is_refused(place):
    refused(place, csv_bytes([row(tc1="²")]))


@pytest.mark.parametrize("when", ["01/01/0001", "9999-12-31T23:00-05:00"])
def test_a_date_at_the_calendar_ends_is_refused(place, when):
    refused(place, csv_bytes([row(submitted_at=when)]))


@pytest.mark.parametrize("digit", OTHER_DIGITS)
def test_another_scripts_digit_is_read_as_its_value_or_refused(place, digit):
    try:
        import_responses(place.campaign, csv_bytes([row(tc1=digit)]), source="thu.csv")
    except ImportRejected:
        return
    db.session.rollback()
    [response] = db.session.scalars(select(Response))
    assert response.answer_values()["tc1"] == int(digit)


def test_free_text_comments_are_imported_exactly_as_cleaned(place):
    before = table_counts()
    rows = [row(comment=text, submitted_at=f"{yesterday()} 08:{n:02d}")
            for n, text in enumerate(TEXTS)]
    result = import_responses(place.campaign, csv_bytes(rows), source="thu.csv")
    assert result.imported == len(TEXTS)
    assert changed_tables(before, ignore=IGNORED) == {
        "response": len(TEXTS), "answer": 22 * len(TEXTS)}
    db.session.rollback()
    stored = list(db.session.scalars(select(Response.comment).order_by(Response.submitted_at)))
    assert stored == [cleaned(text) or None for text in TEXTS]


def test_nul_bytes_and_a_bom_in_cells_are_cleaned(place):
    data = b"\xef\xbb\xbf" + csv_bytes([row(comment="a\x00b", unit_code="xa-thu\x00")])
    assert import_responses(place.campaign, data, source="thu.csv").imported == 1
    db.session.rollback()
    assert db.session.scalar(select(Response.comment)) == "ab"


def test_one_bad_row_among_good_ones_imports_nothing(place):
    before = table_counts()
    refused(place, csv_bytes([row(), row(), row(tt2="9"), row()]))
    assert changed_tables(before) == {}


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cell=st.text(alphabet=st.characters(blacklist_characters="²³¹",
                                           blacklist_categories=("Cs", "Nd", "No")),
                    max_size=8) | st.sampled_from(["1", "5", "NA", "0"]),
       comment=st.text(max_size=80))
def test_generated_cells_are_imported_cleaned_or_refused_whole(place, cell, comment):
    before = table_counts()
    data = csv_bytes([row(kq1=cell, comment=comment)])
    try:
        import_responses(place.campaign, data, source="thu.csv")
    except ImportRejected:
        db.session.rollback()
        assert changed_tables(before) == {}
        return
    db.session.rollback()
    newest = db.session.scalar(select(Response).order_by(Response.id.desc()).limit(1))
    assert newest.comment == (cleaned(comment) or None)
    db.session.delete(newest)
    db.session.commit()


# --- the command line ---------------------------------------------------------------------


def test_the_cli_refuses_bad_files_with_a_vietnamese_message(place, runner, tmp_path):
    before = table_counts()
    for number, data in enumerate([csv_bytes([row(tc1="6")]), BAD_FILES[2], BAD_FILES[4]]):
        path = tmp_path / f"f{number}.csv"
        path.write_bytes(data)
        result = runner.invoke(args=["import-responses", "--campaign", place.campaign.code,
                                     str(path)])
        assert result.exit_code != 0
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Tệp bị từ chối, không phiếu nào được nhập" in result.output
    result = runner.invoke(args=["import-responses", "--campaign", "'; DROP TABLE x;--",
                                 str(tmp_path / "f0.csv")])
    assert result.exit_code != 0 and "Không có đợt khảo sát" in result.output
    assert changed_tables(before) == {}


def test_the_cli_refuses_a_calendar_end_date_with_a_message(place, runner, tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(csv_bytes([row(submitted_at="01/01/0001")]))
    result = runner.invoke(args=["import-responses", "--campaign", place.campaign.code,
                                 str(path)])
    assert isinstance(result.exception, SystemExit) and result.exit_code != 0


# --- the admin's unit CSV upload ------------------------------------------------------------


def upload(client, data: bytes):
    return client.post("/admin/units/import", data={"file": (io.BytesIO(data), "dv.csv")},
                       content_type="multipart/form-data")


UNIT_FILES = [
    b"",
    b"\xff\xfecode",
    b"code,name\nxa-a,A\n",
    b"code,name,kind,=cmd\nxa-a,A,commune,1\n",
    b"code,name,kind\nxa-a,A,commune\nxa-a,B,commune\n",
    "code,name,kind\nXã A,A,commune\n".encode(),
    b"code,name,kind\nxa-a,A,city\n",
    b"code,name,kind\nxa-a,,commune\n",
    b"code,name,kind,parent_code\nxa-a,A,commune,khong-co\n",
    "code,name,kind,field_codes\nxa-a,A,commune,Hộ tịch\n".encode(),
    b"code,name,kind\nxa-a,A,commune\nxa-b,B\n",
    b"code,name,kind\n'; DROP TABLE unit;--,A,commune\n",
]


def test_bad_unit_files_are_refused_whole(client, admin):
    before = table_counts()
    for data in UNIT_FILES:
        reply = upload(client, data)
        assert reply.status_code == 400, data
        assert "Tệp bị từ chối" in reply.get_data(as_text=True) or "tệp" in \
            reply.get_data(as_text=True), data
    assert changed_tables(before) == {}


def test_an_oversized_unit_file_gets_a_4xx(client, admin):
    before = table_counts()
    reply = upload(client, b"code,name,kind\n" + b"xa-a,A,commune\n" * 600_000)
    assert reply.status_code == 413
    assert "quá" in reply.get_data(as_text=True)
    assert changed_tables(before) == {}


def test_unit_names_from_a_file_are_stored_cleaned_and_listed_as_text(client, admin):
    names = TEXTS
    lines = [["code", "name", "kind"]] + [[f"dv-{n}", name, "commune"]
                                          for n, name in enumerate(names) if cleaned(name)]
    out = io.StringIO()
    csv.writer(out).writerows(lines)
    reply = upload(client, out.getvalue().encode())
    assert reply.status_code == 302
    db.session.rollback()
    stored = dict(db.session.execute(select(Unit.code, Unit.name)).all())
    listing = client.get("/admin/units").get_data(as_text=True)
    for n, name in enumerate(names):
        if cleaned(name):
            assert stored[f"dv-{n}"] == cleaned(name)
            assert_shown_as_text(listing, cleaned(name))
    assert upload(client, out.getvalue().encode()).status_code == 302  # again: no change
    db.session.rollback()
    assert dict(db.session.execute(select(Unit.code, Unit.name)).all()) == stored
    renamed = io.StringIO()
    csv.writer(renamed).writerows([lines[0]] + [[code, "Tên khác", kind]
                                                for code, _, kind in lines[1:]])
    problems = upload(client, renamed.getvalue().encode()).get_data(as_text=True)
    assert "đã có trong hệ thống với tên" in problems  # the stored names, shown as text
    assert "<script>alert(1)" not in problems and MARKUP[1] not in problems


# --- the admin's response upload on the campaign page ---------------------------------------


@pytest.fixture
def web_import(config_overrides, tmp_path):
    """The checked files of the web upload wait in this test's own folder."""
    return tmp_path / "imports"


@pytest.fixture
def config_overrides(config_overrides, tmp_path):
    return {**config_overrides, "IMPORT_FOLDER": str(tmp_path / "imports")}


def web_upload(client, place, data: bytes, name: str = "phieu.csv"):
    return client.post(f"/admin/campaigns/{place.campaign.id}/import",
                       data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_bad_files_uploaded_on_the_campaign_page_are_refused_whole(client, admin, place,
                                                                    web_import):
    before = table_counts()
    files = [*BAD_FILES, *(csv_bytes([row(), row(tc1=cell)]) for cell in BAD_CELLS),
             *(csv_bytes([row(submitted_at=when)]) for when in BAD_DATES),
             *(csv_bytes([row(unit_code=code)]) for code in BAD_UNIT_CODES)]
    for data in files:
        for name in ("phieu.csv", "phieu.xlsx"):  # the name decides nothing: the content does
            reply = web_upload(client, place, data, name)
            page = reply.get_data(as_text=True)
            assert reply.status_code in (400, 422), (data, reply.status_code)
            assert 'lang="vi"' in page and ("Tệp bị từ chối" in page or "Vui lòng chọn" in page)
            assert 'name="upload"' not in page
            for text in MARKUP:
                assert text not in page
    assert changed_tables(before) == {}
    assert not web_import.exists() or not any(web_import.iterdir())


def test_free_text_in_a_workbook_is_previewed_as_text_and_stored_cleaned(client, admin, place,
                                                                          web_import):
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    texts = [text for text in TEXTS if not ILLEGAL_CHARACTERS_RE.search(text)]
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for number, text in enumerate(texts, start=2):
        values = row(comment="", submitted_at=f"{yesterday()} 09:{number:02d}")
        for column, name in enumerate(HEADER, start=1):
            sheet.cell(number, column, values.get(name) or None)
        # Typed as text: "=1+1" stays the words a person wrote, not a formula.
        cell = sheet.cell(number, len(HEADER), text)
        cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    reply = web_upload(client, place, out.getvalue(), "y-kien.xlsx")
    page = reply.get_data(as_text=True)
    assert reply.status_code == 200, page
    for text in texts[:10]:  # the preview shows the first ten rows
        if cleaned(text):
            assert_shown_as_text(page, cleaned(text))
    token = page.split('name="upload" value="')[1][:32]
    done = client.post(f"/admin/campaigns/{place.campaign.id}/import/confirm",
                       data={"upload": token})
    assert done.status_code == 303
    db.session.rollback()
    stored = list(db.session.scalars(select(Response.comment).order_by(Response.submitted_at)))
    assert stored == [cleaned(text) or None for text in texts]
