"""``flask compute-index``: the documented JSON, a CSV Excel opens, --by, clear refusals."""

from __future__ import annotations

import csv
import io
import json
import random

import pytest
from openpyxl import load_workbook

from survey_app.extensions import db
from survey_app.models import Unit
from tests.results.counting_support import ITEMS_2640, add_response, populate

INDEX_KEYS = {"index", "ci_low", "ci_high", "n", "n_respondents", "mean"}
OVERALL_KEYS = INDEX_KEYS | {"elements_used", "elements_total"}
CUT_ENTRY_KEYS = {"unit_code", "unit_name", "n_responses", "n_valid", "n_excluded",
                  "n_invalid", "n_flagged", "n_rejected", "overall", "overall_methods",
                  "elements", "criteria", "change"}
ENTRY_KEYS = CUT_ENTRY_KEYS | {"validity"}
SAMPLE_KEYS = {"sample_required", "sample_ok", "sample_status", "sample_source", "n_dossiers",
               "response_rate", "sample_problem", "provisional", "points", "points_ci_low",
               "points_ci_high", "points_display", "rank", "points_by_rule",
               "differs_from_district"}
UNIT_KEYS = ENTRY_KEYS | SAMPLE_KEYS
CUT_UNIT_KEYS = CUT_ENTRY_KEYS | SAMPLE_KEYS
TOP_KEYS = {"campaign", "method", "weighting", "min_compare_responses", "instrument",
            "computed_at", "confidence", "valid_threshold", "margin_of_error",
            "previous_campaign", "previous", "scoring", "labels", "units", "district",
            "excluded", "units_differ", "organiser"}


@pytest.fixture
def survey(make_unit, make_campaign):
    units = [make_unit("p-tnmt", "Phòng Tài nguyên và Môi trường"),
             make_unit("p-tu-phap", "Phòng Tư pháp")]
    campaign = make_campaign(units, code="2026")
    populate(campaign, units, random.Random(3), per_unit=20)
    return campaign


def _check_index(value: dict, keys: set[str] = INDEX_KEYS) -> None:
    assert set(value) == keys
    for key in ("index", "ci_low", "ci_high"):
        assert value[key] is None or 0 <= value[key] <= 100
    if value["index"] is not None:
        assert value["ci_low"] <= value["index"] <= value["ci_high"]


def _check_entry(entry: dict, keys: set[str]) -> None:
    assert set(entry) == keys
    _check_index(entry["overall"], OVERALL_KEYS)
    assert list(entry["elements"]) == ["tc", "tt", "cc", "kq", "pa"]
    assert list(entry["criteria"]) == ITEMS_2640
    assert list(entry["overall_methods"]) == ["mean-of-elements", "pooled", "mean-of-criteria"]
    for value in entry["overall_methods"].values():
        _check_index(value, OVERALL_KEYS)
    for value in [*entry["elements"].values(), *entry["criteria"].values()]:
        _check_index(value)


def test_json_follows_the_documented_schema(survey, runner, tmp_path):
    out = tmp_path / "ket-qua.json"
    result = runner.invoke(args=["compute-index", "--campaign", "2026", "--format", "json",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Đã ghi kết quả đợt “2026” (2 đơn vị, 32 phiếu hợp lệ, 8 phiếu không tính)" in \
        result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) == TOP_KEYS
    assert set(data["organiser"]) == {"code", "name", "kind", "level", "total_name"}
    assert data["district"]["unit_name"] == data["organiser"]["total_name"]
    assert data["campaign"]["code"] == "2026" and data["method"] == "mean-of-elements"
    assert data["instrument"] == {"code": "sipas-2640",
                                  "version": survey.instrument_version.version,
                                  "title": data["instrument"]["title"]}
    assert data["labels"]["elements"]["cc"] == "Công chức giải quyết công việc"
    assert data["labels"]["criteria"]["tt5"].startswith("Thời hạn giải quyết")
    # 20 valid responses each against Yamane's 172 for N = 300: points, but no rank
    assert [u["rank"] for u in data["units"]] == [None, None]
    for entry in data["units"]:
        _check_entry(entry, UNIT_KEYS)
        assert entry["overall"]["index"] is not None
        assert 0 <= entry["points_ci_low"] <= entry["points"] <= entry["points_ci_high"] <= 30
        assert entry["provisional"] and entry["sample_status"] == "chưa đủ mẫu"
        assert entry["response_rate"] == pytest.approx(entry["n_valid"] / 300)
    _check_entry(data["district"], ENTRY_KEYS)
    assert data["excluded"] == {"invalid": 4, "flagged": 4, "rejected": 0}


def test_json_with_by_field(survey, runner, tmp_path):
    out = tmp_path / "theo-linh-vuc.json"
    result = runner.invoke(args=["compute-index", "--campaign", "2026", "--format", "json",
                                 "--out", str(out), "--by", "field"])
    assert result.exit_code == 0, result.output
    by = json.loads(out.read_text(encoding="utf-8"))["by"]
    assert by["dimension"] == "field" and by["label"] == "Lĩnh vực"
    assert [g["label"] for g in by["groups"]] == ["Đất đai", "Hộ tịch", "Lao động – Thương binh "
                                                  "và Xã hội", "Không trả lời"]
    for group in by["groups"]:
        assert set(group) == {"key", "label", "units", "district"}
        _check_entry(group["district"], CUT_ENTRY_KEYS)
        for entry in group["units"]:
            _check_entry(entry, CUT_UNIT_KEYS)


def test_csv_has_a_bom_vietnamese_headers_and_one_row_per_unit(survey, runner, tmp_path):
    out = tmp_path / "ket-qua.csv"
    result = runner.invoke(args=["compute-index", "--campaign", "2026", "--format", "csv",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))
    header = rows[0]
    assert "Tên đơn vị" in header and "Chỉ số chung (%)" in header
    names = [row[header.index("Tên đơn vị")] for row in rows[1:]]
    assert sorted(names) == ["Phòng Tài nguyên và Môi trường", "Phòng Tư pháp", "Toàn huyện"]
    index = float(rows[1][header.index("Chỉ số chung (%)")])
    assert 0 < index < 100


def test_csv_neutralises_formula_text(make_unit, make_campaign, runner, tmp_path):
    unit = make_unit("xa-evil", "=HYPERLINK(\"http://x\";\"bấm\")")
    campaign = make_campaign([unit], code="2026")
    add_response(campaign, unit, dict.fromkeys(ITEMS_2640, 4))
    db.session.commit()
    out = tmp_path / "ket-qua.csv"
    result = runner.invoke(args=["compute-index", "--campaign", "2026", "--format", "csv",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_bytes()[3:].decode("utf-8"))))
    cells = [cell for row in rows for cell in row]
    assert "'=HYPERLINK(\"http://x\";\"bấm\")" in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    assert not any(cell.startswith("-") and not _is_number(cell) for cell in cells)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_xlsx_opens_with_the_units(survey, runner, tmp_path):
    out = tmp_path / "ket-qua.xlsx"
    result = runner.invoke(args=["compute-index", "--campaign", "2026", "--format", "xlsx",
                                 "--out", str(out), "--by", "channel"])
    assert result.exit_code == 0, result.output
    workbook = load_workbook(out, read_only=True)
    text = {str(cell) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
            for cell in row if cell is not None}
    workbook.close()
    assert "Phòng Tài nguyên và Môi trường" in text and "Phòng Tư pháp" in text


def test_pdf_is_written(survey, runner, tmp_path):
    out = tmp_path / "bao-cao.pdf"
    result = runner.invoke(args=["compute-index", "--campaign", "2026", "--format", "pdf",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")


def test_an_unknown_campaign_is_refused_and_nothing_written(app, runner, tmp_path):
    folder = tmp_path / "ket-qua"
    folder.mkdir()
    result = runner.invoke(args=["compute-index", "--campaign", "khong-co", "--format", "json",
                                 "--out", str(folder / "ket-qua.json")])
    assert result.exit_code == 1
    assert "Không có đợt khảo sát mã “khong-co”" in result.output
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "docx"], "Invalid value for '--format'"),
    (["--by", "gender"], "Invalid value for '--by'"),
])
def test_unknown_format_or_cut_is_refused(survey, runner, tmp_path, args, message):
    out = tmp_path / "x"
    result = runner.invoke(args=["compute-index", "--campaign", "2026", "--out", str(out),
                                 *args])
    assert result.exit_code == 2 and message in result.output
    assert not out.exists()


def test_a_missing_folder_is_refused(survey, runner, tmp_path):
    result = runner.invoke(args=["compute-index", "--campaign", "2026", "--out",
                                 str(tmp_path / "khong-co" / "a.json")])
    assert result.exit_code == 1 and "không tồn tại" in result.output


def test_a_unit_without_responses_is_null_in_json(make_unit, make_campaign, runner, tmp_path):
    units = [make_unit("a", "A"), make_unit("b", "B")]
    campaign = make_campaign(units, code="2026")
    add_response(campaign, units[0], dict.fromkeys(ITEMS_2640, 5))
    db.session.commit()
    out = tmp_path / "k.json"
    assert runner.invoke(args=["compute-index", "--campaign", "2026", "--out",
                               str(out)]).exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    empty = next(u for u in data["units"] if u["unit_code"] == "b")
    assert empty["overall"]["index"] is None and empty["rank"] is None
    assert data["units"][-1]["unit_code"] == "b"
    assert db.session.get(Unit, units[1].id).code == "b"


def test_a_missing_scoring_file_is_refused_and_nothing_written(survey, runner, tmp_path):
    survey.scoring_file = "khong-co.yaml"
    db.session.commit()
    folder = tmp_path / "ket-qua"
    folder.mkdir()
    result = runner.invoke(args=["compute-index", "--campaign", "2026", "--format", "xlsx",
                                 "--out", str(folder / "a.xlsx")])
    assert result.exit_code == 1
    assert "Không tìm thấy tệp quy đổi điểm “khong-co.yaml”" in result.output
    assert list(folder.iterdir()) == []


def test_a_broken_scoring_file_is_refused_clearly(survey, runner, tmp_path, monkeypatch):
    from survey_app.domain.results import results as results_service

    scoring = tmp_path / "scoring"
    scoring.mkdir()
    (scoring / "huyen.yaml").write_text("title: [\n", encoding="utf-8")
    monkeypatch.setattr(results_service, "SCORING_DIR", scoring)
    survey.scoring_file = "huyen.yaml"
    db.session.commit()
    out = tmp_path / "a.json"
    result = runner.invoke(args=["compute-index", "--campaign", "2026", "--out", str(out)])
    assert result.exit_code == 1
    assert "Tệp quy đổi điểm “huyen.yaml” không hợp lệ" in result.output
    assert not out.exists()
