"""The XLSX workbook: sheets, headers, numbers, frozen headers, formula safety, same bytes."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime

import openpyxl
import pytest

from survey_app.domain.results.exports import write_workbook
from survey_app.domain.results.exports.xlsx import CRITERIA_HEADERS, SUMMARY_HEADERS


def _load(results, raw_rows=None):
    stream = io.BytesIO()
    write_workbook(results, stream, raw_rows=raw_rows)
    return openpyxl.load_workbook(io.BytesIO(stream.getvalue())), stream.getvalue()


def _rows_by_code(sheet):
    """Unit rows by unit code, the district under None; section headings left out."""
    return {row[1].value: row for row in sheet.iter_rows(min_row=2) if row[2].value}


def _column(name: str) -> int:
    return SUMMARY_HEADERS.index(name)


def test_sheets_and_headers(results, results_by_field):
    workbook, _ = _load(results)
    assert workbook.sheetnames == ["Tổng hợp", "Tiêu chí", "Phương pháp"]
    summary = workbook["Tổng hợp"]
    headers = [cell.value for cell in summary[1]]
    assert headers[:len(SUMMARY_HEADERS)] == list(SUMMARY_HEADERS)
    assert headers[len(SUMMARY_HEADERS)] == "Yếu tố: Tiếp cận dịch vụ (%)"
    assert [cell.value for cell in workbook["Tiêu chí"][1]] == list(CRITERIA_HEADERS)
    by_field, _ = _load(results_by_field)
    assert by_field.sheetnames == ["Tổng hợp", "Tiêu chí", "Theo lĩnh vực", "Phương pháp"]


def test_summary_numbers_equal_the_results(results):
    workbook, _ = _load(results)
    sheet = workbook["Tổng hợp"]
    rows = _rows_by_code(sheet)
    # by rank; the unit short of its sample under its heading, unranked; district last
    assert [row[1].value or row[0].value for row in sheet.iter_rows(min_row=2)] == [
        "p-tnmt", "p-tu-phap", "Chưa đủ mẫu — chưa xếp hạng", "xa-dak-ha", None]
    points = _column("Điểm CCHC")
    for unit in results["units"]:
        row = rows[unit["unit_code"]]
        assert row[0].value == unit["rank"]
        assert row[2].value == unit["unit_name"]
        assert [c.value for c in row[3:6]] == pytest.approx(
            [unit["overall"]["index"], unit["overall"]["ci_low"], unit["overall"]["ci_high"]],
            rel=1e-14)
        assert [c.value for c in row[6:10]] == [unit["n_valid"], unit["n_excluded"],
                                                 unit["n_responses"], unit["sample_required"]]
        assert [c.value for c in row[points:points + 3]] == pytest.approx(
            [unit["points"], unit["points_ci_low"], unit["points_ci_high"]])
        assert row[3].number_format == "0.00"
    status = _column("Tình trạng mẫu")
    assert rows["xa-dak-ha"][status].value == "Chưa đủ mẫu"
    assert rows["xa-dak-ha"][0].value is None
    assert rows["p-tnmt"][status].value == "Đủ mẫu"
    district = rows[None]
    assert district[2].value == "Toàn huyện"
    assert district[0].value is None and district[points].value is None


def test_criteria_sheet_keeps_undefined_values_empty(results):
    workbook, _ = _load(results)
    rows = list(workbook["Tiêu chí"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 22 * 4
    pa4 = next(r for r in rows if r[0] == "xa-dak-ha" and r[3] == "pa4")
    assert pa4[5:8] == (None, None, None)  # undefined, not 0
    assert pa4[8] == 0
    tc1 = next(r for r in rows if r[0] == "p-tnmt" and r[3] == "tc1")
    source = results["units"][1]["criteria"]["tc1"]
    assert tc1[2] == "Tiếp cận dịch vụ"
    assert tc1[5:10] == pytest.approx((source["index"], source["ci_low"], source["ci_high"],
                                       source["n"], source["mean"]))


def test_frozen_headers_and_widths(results_by_field):
    workbook, _ = _load(results_by_field, raw_rows=[("STT", "Ý kiến"), (1, "tốt")])
    assert workbook["Tổng hợp"].freeze_panes == "D2"
    assert workbook["Tiêu chí"].freeze_panes == "C2"
    assert workbook["Theo lĩnh vực"].freeze_panes == "B2"
    assert workbook["Phương pháp"].freeze_panes == "A2"
    assert workbook["Dữ liệu thô"].freeze_panes == "A2"
    assert workbook["Tổng hợp"].column_dimensions["C"].width == pytest.approx(36)
    assert workbook["Tổng hợp"]["A1"].font.bold


def test_by_field_sheet(results_by_field):
    workbook, _ = _load(results_by_field)
    rows = list(workbook["Theo lĩnh vực"].iter_rows(values_only=True))
    assert rows[0][0] == "Lĩnh vực"
    land = [r for r in rows[1:] if r[0] == "Đất đai"]
    assert [r[1] for r in land] == ["p-tnmt", "xa-dak-ha", None]
    assert land[1][4] == pytest.approx(61.0)


def test_method_sheet_states_method_and_exclusions(results):
    workbook, _ = _load(results)
    text = {row[0]: row[1] for row in workbook["Phương pháp"].iter_rows(values_only=True)}
    assert text["Phương pháp tính chỉ số chung"].startswith("Trung bình các yếu tố")
    assert text["Bộ phiếu"] == "sipas-2640 v1"
    assert text["Không tính — Phiếu không hợp lệ (trả lời dưới ngưỡng số câu)"] == "12"
    assert text["Không tính — Phiếu bị gắn cờ nghi vấn, chưa được cán bộ xác nhận"] == "9"
    assert "Jeffreys" in text["Khoảng tin cậy 95%"]
    assert text["Trọng số khi tổng hợp toàn huyện"].startswith("Theo số phiếu")


@pytest.mark.parametrize("evil", ['=HYPERLINK("http://example.invalid","x")', "+1+1",
                                  "-2+3", "@SUM(A1)", "\t=1", "\r=1", "  =1+1", "\n@x"])
def test_formula_text_is_stored_as_inert_text(results, evil):
    results["units"][0]["unit_name"] = evil
    results["labels"]["elements"]["tc"] = evil
    results["campaign"]["name"] = evil
    workbook, _ = _load(results, raw_rows=[("STT", evil), (1, evil)])
    name_cell = _rows_by_code(workbook["Tổng hợp"])["xa-dak-ha"][2]
    element_cell = next(row[2] for row in workbook["Tiêu chí"].iter_rows(min_row=2)
                        if row[3].value == "tc1")
    cells = [name_cell, element_cell, workbook["Dữ liệu thô"]["B1"],
             workbook["Dữ liệu thô"]["B2"], workbook["Phương pháp"]["B2"]]
    for cell in cells:
        assert cell.data_type == "s"
        assert cell.value.startswith("'")
        assert evil.replace("\r", "\n") in cell.value  # XML reads CR as LF
    # "Yếu tố: <label> (%)" does not start with it
    header = workbook["Tổng hợp"].cell(1, len(SUMMARY_HEADERS) + 1)
    assert header.data_type == "s"
    assert header.value == f"Yếu tố: {evil} (%)".replace("\r", "\n")


def test_same_results_give_the_same_bytes(results):
    _, first = _load(results)
    _, second = _load(results)
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
    workbook, _ = _load(results)
    assert workbook.properties.created == datetime(2026, 11, 30, 8, 15)
    assert workbook.properties.modified == datetime(2026, 11, 30, 8, 15)
    results["units"][0]["points"] = 1.0
    _, changed = _load(results)
    assert changed != first


def test_raw_rows_keep_numbers_and_text(results):
    raw = [("STT", "Mã đơn vị", "tc1", "Ý kiến"), (1, "p-tnmt", 5, "Rất tốt"),
           (2, "p-tnmt", "NA", None)]
    workbook, _ = _load(results, raw_rows=raw)
    rows = list(workbook["Dữ liệu thô"].iter_rows(values_only=True))
    assert rows == [raw[0], raw[1], raw[2]]
