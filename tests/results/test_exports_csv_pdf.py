"""CSV (BOM, neutralised text, unrounded numbers) and the PDF report (text, no network)."""

from __future__ import annotations

import csv
import io
import socket

import pypdfium2
import pytest

from survey_app.domain.results.exports import write_csv, write_report
from survey_app.domain.results.exports.safety import is_dangerous, neutralise


def _csv_rows(results):
    stream = io.BytesIO()
    write_csv(results, stream)
    data = stream.getvalue()
    return data, list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    try:
        pages = [document[i] for i in range(len(document))]
        text = "\n".join(page.get_textpage().get_text_range() for page in pages)
    finally:
        document.close()
    return text


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+7", "'+7"), ("-x", "'-x"), ("@a", "'@a"), ("\tb", "'\tb"),
    ("\rc", "'\rc"), ("\nd", "'\nd"), ("   =cmd", "'   =cmd"), ("Đất đai", "Đất đai"),
    ("a=b", "a=b"), ("", ""), (83.94, 83.94), (-1, -1), (None, None),
])
def test_neutralise(value, expected):
    assert neutralise(value) == expected
    if isinstance(value, str):
        assert not is_dangerous(neutralise(value))


def test_csv_has_bom_and_vietnamese_headers(results):
    data, rows = _csv_rows(results)
    assert data.startswith(b"\xef\xbb\xbf")
    assert rows[0][:6] == ["Nhóm", "Mã đơn vị", "Tên đơn vị", "Nhóm xếp hạng", "Hạng",
                           "Chỉ số chung (%)"]
    assert "Tiêu chí pa4 (%)" in rows[0]
    assert [row[1] for row in rows[1:]] == ["p-tnmt", "p-tu-phap", "xa-dak-ha", ""]


def test_csv_numbers_are_unrounded_and_nulls_empty(results):
    _, rows = _csv_rows(results)
    header = rows[0]
    by_code = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    tnmt = by_code["p-tnmt"]
    assert float(tnmt["Chỉ số chung (%)"]) == results["units"][1]["overall"]["index"]
    assert tnmt["Hạng"] == "1" and tnmt["Nhóm xếp hạng"] == "Xếp hạng"
    assert tnmt["Tình trạng mẫu"] == "Đủ mẫu"
    assert tnmt["Điểm CCHC cận dưới"] == repr(results["units"][1]["points_ci_low"])
    small = by_code["xa-dak-ha"]
    assert small["Hạng"] == "" and small["Nhóm xếp hạng"] == "Chưa đủ mẫu — chưa xếp hạng"
    assert by_code["xa-dak-ha"]["Tiêu chí pa4 (%)"] == ""
    assert by_code["xa-dak-ha"]["Tiêu chí pa4 n"] == "0"
    assert by_code[""]["Tên đơn vị"] == "Toàn huyện"


def test_csv_neutralises_text_and_headers(results_by_field):
    results = results_by_field
    results["units"][0]["unit_name"] = '=HYPERLINK("http://example.invalid")'
    results["by"]["groups"][0]["label"] = "@SUM(1)"
    results["by"]["dimension"] = "-evil"
    _, rows = _csv_rows(results)
    assert rows[0][0] == "'-evil"
    flat = [cell for row in rows for cell in row]
    assert "'=HYPERLINK(\"http://example.invalid\")" in flat
    assert "'@SUM(1)" in flat
    assert not any(is_dangerous(cell) for cell in flat)


def test_csv_by_field_rows(results_by_field):
    _, rows = _csv_rows(results_by_field)
    assert rows[0][0] == "Lĩnh vực"
    land = [row for row in rows if row[0] == "Đất đai"]
    assert [row[1] for row in land] == ["p-tnmt", "xa-dak-ha", ""]


def test_pdf_shows_units_with_diacritics(results):
    stream = io.BytesIO()
    write_report(results, stream)
    text = _pdf_text(stream.getvalue())
    assert "Phòng Tài nguyên và Môi trường" in text
    assert "UBND xã Đắk Hà" in text
    assert "83,94" in text  # Vietnamese display, half-up
    assert "Chưa đủ mẫu" in text
    assert "Trung bình các yếu tố" in text


def test_pdf_is_the_same_for_the_same_results(results):
    first, second = io.BytesIO(), io.BytesIO()
    write_report(results, first)
    write_report(results, second)
    assert first.getvalue() == second.getvalue()


def test_pdf_prints_urls_and_tags_without_fetching(results, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the PDF writer tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    results["units"][0]["unit_name"] = "Xem http://example.invalid/x.png ngay"
    results["units"][2]["unit_name"] = '<img src="http://example.invalid/x.png"/> Phòng'
    results["campaign"]["name"] = "<b>Đợt</b> & <a href='http://example.invalid'>x</a>"
    stream = io.BytesIO()
    write_report(results, stream)
    text = _pdf_text(stream.getvalue())
    assert "http://example.invalid/x.png" in text
    assert '<img src="http://example.invalid/x.png"/>' in text.replace("\r\n", "")
    assert "<b>Đợt</b> &" in text
