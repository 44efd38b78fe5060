"""A workbook that is not a rating questionnaire the analysis understands is refused, located."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from openpyxl import Workbook

from questionnaires import DefinitionError, shipped_instruments
from questionnaires.xlsform import XLSFormError, instrument_from_xlsform, instrument_to_xlsform
from tests.xlsform.xlsform_support import edited, row_of, set_cell


@pytest.fixture(scope="module")
def exported() -> bytes:
    return instrument_to_xlsform(shipped_instruments()["sipas-1001-dvhcc"])


def refusal(data: bytes, change: Callable[[Workbook], tuple[str, int | None]]) -> XLSFormError:
    """The error of reading ``data`` after ``change``, which returns the sheet and row to blame."""
    where: list[tuple[str, int | None]] = []
    changed = edited(data, lambda workbook: where.append(change(workbook)))
    with pytest.raises(XLSFormError) as caught:
        instrument_from_xlsform(changed)
    sheet, row = where[0]
    error = caught.value
    assert (error.sheet, error.line) == (sheet, row)
    expected = f"Trang '{sheet}', dòng {row}: " if row else f"Trang '{sheet}': "
    assert str(error).startswith(expected), str(error)
    assert isinstance(error, DefinitionError)  # callers catching loader errors catch these too
    return error


def retype(name: str, new_type: str) -> Callable[[Workbook], tuple[str, int]]:
    def change(workbook):
        row = row_of(workbook, "survey", name=name)
        set_cell(workbook, "survey", row, "type", new_type)
        return "survey", row
    return change


@pytest.mark.parametrize(("name", "new_type"), [
    ("tc2", "integer"), ("cc1", "text"), ("kq3", "select_multiple satisfaction"),
    ("ph1", "note"), ("pa1", "select_one satisfaction or_other")])
def test_a_question_the_analysis_cannot_use_inside_a_group_is_refused(exported, name, new_type):
    error = refusal(exported, retype(name, new_type))
    assert "không dùng được trong nhóm" in error.message and new_type in error.message


def test_a_rating_list_missing_a_value_is_refused(exported):
    def change(workbook):
        sheet = workbook["choices"]
        sheet.delete_rows(row_of(workbook, "choices", list_name="satisfaction", name="5"))
        return "choices", row_of(workbook, "choices", list_name="satisfaction")
    error = refusal(exported, change)
    assert "thang đánh giá 'satisfaction' thiếu giá trị 5" in error.message


@pytest.mark.parametrize(("name", "satisfied", "words"), [
    ("3", "yes", "ghi yes đúng ở giá trị 4 và 5"),
    ("4", None, "ghi yes đúng ở giá trị 4 và 5"),
])
def test_the_satisfied_marks_must_be_4_and_5(exported, name, satisfied, words):
    def change(workbook):
        row = row_of(workbook, "choices", list_name="satisfaction", name=name)
        set_cell(workbook, "choices", row, "satisfied", satisfied)
        return "choices", row
    assert words in refusal(exported, change).message


def test_a_rating_list_with_a_value_beyond_5_is_refused(exported):
    def change(workbook):
        row = row_of(workbook, "choices", list_name="satisfaction", name="NA")
        set_cell(workbook, "choices", row, "name", "6")
        return "choices", row
    assert "chỉ có các giá trị 1–5 và NA" in refusal(exported, change).message


def test_a_missing_settings_sheet_is_refused(exported):
    def change(workbook):
        del workbook["settings"]
    changed = edited(exported, change)
    with pytest.raises(XLSFormError, match=r"^Tệp XLSForm: thiếu trang 'settings' \(form_id"):
        instrument_from_xlsform(changed)


def test_an_empty_settings_sheet_is_refused(exported):
    def change(workbook):
        workbook["settings"].delete_rows(2)
        return "settings", 2
    assert "cần một dòng form_id" in refusal(exported, change).message


@pytest.mark.parametrize("version", ["v2", "0", "2.5", None])
def test_a_version_that_is_not_a_positive_integer_is_refused(exported, version):
    def change(workbook):
        set_cell(workbook, "settings", 2, "version", version)
        return "settings", 2
    assert "phải là số nguyên dương" in refusal(exported, change).message


def test_duplicate_question_names_are_refused(exported):
    rows: dict[str, int] = {}

    def change(workbook):
        rows["first"] = row_of(workbook, "survey", name="tc1")
        rows["again"] = row_of(workbook, "survey", name="tt2")
        set_cell(workbook, "survey", rows["again"], "name", "tc1")
        return "survey", rows["again"]
    error = refusal(exported, change)
    assert f"tên 'tc1' bị trùng (đã dùng ở dòng {rows['first']})" in error.message


def test_a_question_named_like_a_group_is_refused(exported):
    def change(workbook):
        row = row_of(workbook, "survey", name="gender")
        set_cell(workbook, "survey", row, "name", "tc")
        return "survey", row
    assert "tên 'tc' bị trùng" in refusal(exported, change).message


def test_duplicate_choice_names_are_refused(exported):
    def change(workbook):
        row = row_of(workbook, "choices", list_name="gender", name="nu")
        set_cell(workbook, "choices", row, "name", "nam")
        return "choices", row
    assert "lựa chọn 'nam' của danh sách 'gender' bị trùng" in refusal(exported, change).message


def test_a_rating_question_outside_any_group_is_refused(exported):
    def change(workbook):
        row = row_of(workbook, "survey", name="gender")
        set_cell(workbook, "survey", row, "type", "select_one satisfaction")
        return "survey", row
    assert "phải nằm trong một nhóm yếu tố" in refusal(exported, change).message


def test_skip_logic_is_refused(exported):
    def change(workbook):
        row = row_of(workbook, "survey", name="cc2")
        set_cell(workbook, "survey", row, "relevant", "${cc1} = '1'")
        return "survey", row
    assert "cột 'relevant'" in refusal(exported, change).message


def test_a_group_mixing_scales_is_refused(exported):
    def change(workbook):
        row = row_of(workbook, "survey", name="ph2")
        set_cell(workbook, "survey", row, "type", "select_one expectation")
        return "survey", row
    assert "dùng cùng một thang" in refusal(exported, change).message


def test_a_list_that_is_not_there_is_refused(exported):
    error = refusal(exported, retype("tc1", "select_one hai_long"))
    assert "danh sách lựa chọn 'hai_long' không có trên trang 'choices'" in error.message


def test_a_group_without_its_end_is_refused(exported):
    def unclosed_inside(workbook):
        workbook["survey"].delete_rows(row_of(workbook, "survey", type="end_group", name="pa"))
        # The next group then opens inside the one left open.
        return "survey", row_of(workbook, "survey", type="begin_group", name="harassment")

    def unclosed_last(workbook):
        end = row_of(workbook, "survey", type="end_group", name="expectations")
        workbook["survey"].delete_rows(end, workbook["survey"].max_row)  # and the profile
        return "survey", row_of(workbook, "survey", type="begin_group", name="expectations")
    assert "nhóm lồng trong nhóm 'pa'" in refusal(exported, unclosed_inside).message
    assert "chưa được đóng bằng end_group" in refusal(exported, unclosed_last).message


def test_a_missing_vietnamese_label_is_refused(exported):
    def change(workbook):
        row = row_of(workbook, "survey", name="kq2")
        set_cell(workbook, "survey", row, "label::Tiếng Việt (vi)", None)
        return "survey", row
    assert "thiếu nhãn tiếng Việt" in refusal(exported, change).message


def test_a_code_the_loader_refuses_is_told_by_its_row(exported):
    def change(workbook):
        row = row_of(workbook, "survey", name="cc3")
        set_cell(workbook, "survey", row, "name", "CC-3")
        return "survey", row
    assert "mã 'CC-3' không hợp lệ" in refusal(exported, change).message


def test_without_respondent_type_the_survey_sheet_is_blamed(exported):
    def change(workbook):
        row = row_of(workbook, "survey", name="respondent_type")
        set_cell(workbook, "survey", row, "name", "doi_tuong")
        return "survey", None
    assert "respondent_type" in refusal(exported, change).message


def test_a_file_that_is_not_a_workbook_is_refused():
    with pytest.raises(XLSFormError, match=r"^Tệp XLSForm: .*tệp phải là bảng tính Excel \.xlsx"):
        instrument_from_xlsform(b"type,name,label\nnote,intro,Xin chao\n")
