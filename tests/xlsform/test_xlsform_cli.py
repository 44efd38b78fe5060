"""``export-xlsform`` and ``import-xlsform``: workbooks in and out of the published versions."""

from __future__ import annotations

import pytest
from pyxform.xls2xform import convert
from sqlalchemy import func, select

from questionnaires import instrument_from_definition, shipped_instruments
from questionnaires.xlsform import instrument_from_xlsform, instrument_to_xlsform
from survey_app.domain.campaigns.instruments import instrument_of, published_version
from survey_app.extensions import db
from survey_app.models import AuditEvent, InstrumentVersion
from tests.test_cli import snapshot
from tests.xlsform.xlsform_support import edited, row_of, set_cell


@pytest.fixture
def synced(runner):
    result = runner.invoke(args=["sync-instruments"])
    assert result.exit_code == 0, result.output


def _versions() -> int:
    return db.session.scalar(select(func.count()).select_from(InstrumentVersion))


@pytest.mark.parametrize("code", ["sipas-2640", "sipas-1001-dvhcc"])
def test_export_writes_a_workbook_pyxform_converts(runner, synced, tmp_path, code):
    out = tmp_path / f"{code}.xlsx"
    result = runner.invoke(args=["export-xlsform", "--instrument", code, "--out", str(out)])
    assert result.exit_code == 0, result.output
    row = published_version(code)
    assert f"Đã ghi {row.label}" in result.output and str(out) in result.output
    assert instrument_from_xlsform(out.read_bytes()) == instrument_of(row)
    assert "<instanceID/>" in convert(out.read_bytes(), file_type=".xlsx").xform


def test_export_names_a_version_and_refuses_an_unpublished_one(runner, synced, tmp_path):
    out = tmp_path / "phieu.xlsx"
    version = published_version("sipas-2640").version
    ok = runner.invoke(args=["export-xlsform", "--instrument", "sipas-2640", "--version",
                             str(version), "--out", str(out)])
    assert ok.exit_code == 0, ok.output
    for args in (["--instrument", "sipas-2640", "--version", str(version + 5)],
                 ["--instrument", "khong-co"]):
        missing = runner.invoke(args=["export-xlsform", *args, "--out", str(tmp_path / "x.xlsx")])
        assert missing.exit_code != 0 and "Chưa công bố bộ phiếu" in missing.output
        assert not (tmp_path / "x.xlsx").exists()


def test_importing_the_export_of_a_published_version_publishes_nothing(runner, synced, tmp_path):
    out = tmp_path / "sipas-2640.xlsx"
    runner.invoke(args=["export-xlsform", "--instrument", "sipas-2640", "--out", str(out)])
    before = snapshot()
    result = runner.invoke(args=["import-xlsform", str(out)])
    assert result.exit_code == 0, result.output
    assert "đã được công bố với cùng nội dung; không có gì mới" in result.output
    assert snapshot() == before


def _renamed(data: bytes, code: str, version: int) -> bytes:
    def change(workbook):
        set_cell(workbook, "settings", 2, "form_id", code)
        set_cell(workbook, "settings", 2, "version", str(version))
    return edited(data, change)


def test_import_publishes_a_new_instrument_once(runner, tmp_path):
    source = shipped_instruments()["sipas-1001-dvhcc"]
    path = tmp_path / "xa-thu.xlsx"
    path.write_bytes(_renamed(instrument_to_xlsform(source), "xa-thu", 1))
    result = runner.invoke(args=["import-xlsform", str(path)])
    assert result.exit_code == 0, result.output
    assert ("Đã công bố bộ phiếu xa-thu v1: Phiếu khảo sát sự hài lòng về sự phục vụ hành chính"
            " — 5 yếu tố, 16 câu đánh giá, 2 khối tùy chọn, 6 câu hỏi thông tin người trả lời."
            ) in result.output
    db.session.expire_all()
    row = published_version("xa-thu")
    assert row.version == 1 and row.is_published
    stored = instrument_from_definition(row.definition)
    assert stored.item_codes == source.item_codes
    assert stored.item("md10").text_en == source.item("md10").text_en
    event = db.session.scalar(select(AuditEvent).filter_by(action="instrument.publish"))
    assert event.object_id == "xa-thu v1" and "xa-thu.xlsx" in event.note
    count = _versions()
    again = runner.invoke(args=["import-xlsform", str(path)])
    assert again.exit_code == 0 and "không có gì mới" in again.output
    assert _versions() == count


def test_import_refuses_other_content_under_a_published_version(runner, synced, tmp_path):
    row = published_version("sipas-2640")

    def change(workbook):
        line = row_of(workbook, "survey", name="cc1")
        set_cell(workbook, "survey", line, "label::Tiếng Việt (vi)", "Công chức vui vẻ")
    path = tmp_path / "sua.xlsx"
    path.write_bytes(edited(instrument_to_xlsform(instrument_of(row)), change))
    before = snapshot()
    result = runner.invoke(args=["import-xlsform", str(path)])
    assert result.exit_code != 0
    assert f"bộ phiếu {row.label} đã công bố với nội dung khác" in result.output
    assert "hãy tăng 'version' trên trang 'settings'" in result.output
    assert snapshot() == before
    # With the version raised, it is a new version beside the old one.
    path.write_bytes(_renamed(path.read_bytes(), "sipas-2640", row.version + 1))
    assert runner.invoke(args=["import-xlsform", str(path)]).exit_code == 0
    assert published_version("sipas-2640").version == row.version + 1
    assert instrument_of(published_version("sipas-2640")).item("cc1").text == "Công chức vui vẻ"


def test_import_of_a_refused_workbook_says_where_and_writes_nothing(runner, synced, tmp_path):
    rows: dict[str, int] = {}

    def change(workbook):
        rows["tc1"] = row_of(workbook, "survey", name="tc1")
        set_cell(workbook, "survey", rows["tc1"], "type", "integer")
    path = tmp_path / "hong.xlsx"
    path.write_bytes(edited(_renamed(instrument_to_xlsform(
        instrument_of(published_version("sipas-2640"))), "moi", 1), change))
    before = snapshot()
    result = runner.invoke(args=["import-xlsform", str(path)])
    assert result.exit_code != 0
    assert f"hong.xlsx: không nhập được. Trang 'survey', dòng {rows['tc1']}: câu hỏi loại " \
        "'integer' không dùng được trong nhóm 'tc'" in result.output
    assert snapshot() == before
