"""Instruments written as XLSForm convert with pyxform and read back as the same instrument."""

from __future__ import annotations

import io
import textwrap

import pytest
from openpyxl import Workbook, load_workbook
from pyxform.xls2xform import convert

from questionnaires import NOT_APPLICABLE, load_instrument, shipped_instruments
from questionnaires.xlsform import (
    NotExportable,
    definition_from_xlsform,
    instrument_from_xlsform,
    instrument_to_xlsform,
    xform_of,
)
from tests.xlsform.xlsform_support import XFORMS, edited, main_instance, row_of, set_cell

SHIPPED = ["sipas-2640", "sipas-1001-dvhcc"]


@pytest.mark.parametrize("code", SHIPPED)
def test_pyxform_converts_the_exported_workbook(code):
    instrument = shipped_instruments()[code]
    warnings: list[str] = []
    result = convert(instrument_to_xlsform(instrument), file_type=".xlsx", warnings=warnings)
    assert warnings == []
    data = main_instance(result.xform)
    assert (data.tag, data.get("id"), data.get("version")) == (
        f"{XFORMS}data", code, str(instrument.version))
    for element in instrument.elements:
        group = data.find(f"{XFORMS}{element.code}")
        assert [child.tag for child in group] == [f"{XFORMS}{i.code}" for i in element.items]
    for block in instrument.blocks:
        group = data.find(f"{XFORMS}{block.code}")
        assert [child.tag for child in group] == [f"{XFORMS}{i.code}" for i in block.items]
    for question in instrument.profile:
        assert data.find(f"{XFORMS}{question.code}") is not None
    assert data.find(f"{XFORMS}meta/{XFORMS}instanceID") is not None
    # Both languages reach the phone: the English wording is an XForm translation.
    assert 'lang="English (en)"' in result.xform and 'lang="Tiếng Việt (vi)"' in result.xform
    assert instrument.rating_items[0].text_en in result.xform
    assert instrument.rating_items[0].text in result.xform


@pytest.mark.parametrize("code", SHIPPED)
def test_writing_then_reading_gives_the_same_instrument(code):
    instrument = shipped_instruments()[code]
    data = instrument_to_xlsform(instrument)
    assert instrument_from_xlsform(data) == instrument
    # The definition read back is what gets published, and it rebuilds the same instrument.
    assert definition_from_xlsform(data) == definition_from_xlsform(data)
    assert definition_from_xlsform(data)["version"] == instrument.version


def test_the_rating_list_is_1_to_5_with_na_and_4_5_satisfied():
    workbook = load_workbook(io.BytesIO(instrument_to_xlsform(shipped_instruments()[SHIPPED[0]])))
    rows = [r for r in workbook["choices"].iter_rows(values_only=True) if r[0] == "satisfaction"]
    assert [(r[1], r[-1]) for r in rows] == [
        ("1", None), ("2", None), ("3", None), ("4", "yes"), ("5", "yes"), ("NA", None)]
    assert rows[-1][2] == "Không áp dụng / không ý kiến"
    assert rows[-1][3] == "Not applicable / no opinion"
    scale = instrument_from_xlsform(instrument_to_xlsform(shipped_instruments()[SHIPPED[0]])
                                    ).scales["satisfaction"]
    assert scale.accepts(NOT_APPLICABLE) and scale.satisfied == {4, 5}
    settings = list(workbook["settings"].iter_rows(values_only=True))
    assert dict(zip(settings[0], settings[1], strict=True))["form_id"] == SHIPPED[0]


MINIMAL = """\
    code: thu-xlsform
    version: 3
    title: Phiếu thử
    source: Tự soạn cho kiểm thử
    scales:
      sao:
        rating: true
        satisfied: [4, 5]
        options:
          - {value: 1, label: Một}
          - {value: 2, label: Hai}
          - {value: 3, label: Ba}
          - {value: 4, label: Bốn, label_en: Four}
          - {value: 5, label: "=Năm"}
    elements:
      - code: tc
        title: Tiếp cận
        scale: sao
        items:
          - {code: tc1, text: Câu một, text_en: One}
          - {code: tc2, text: Câu hai}
    profile:
      - code: respondent_type
        label: Ông/Bà là
        required: true
        options:
          - {value: ca_nhan, label: Cá nhân}
      - {code: y_kien, label: Ý kiến, kind: text, max_length: 300}
"""


def test_an_instrument_with_some_english_and_no_intro_reads_back_the_same(tmp_path):
    path = tmp_path / "thu.yaml"
    path.write_text(textwrap.dedent(MINIMAL), encoding="utf-8")
    instrument = load_instrument(path)
    data = instrument_to_xlsform(instrument)
    assert instrument_from_xlsform(data) == instrument
    # A label starting with "=" is written as text, never as a formula Excel would run.
    workbook = load_workbook(io.BytesIO(data))
    cell = workbook["choices"].cell(row_of(workbook, "choices", name="5"), 3)
    assert (cell.value, cell.data_type) == ("=Năm", "s")
    path.write_text(textwrap.dedent(MINIMAL).replace(", text_en: One", "")
                    .replace(", label_en: Four", ""), encoding="utf-8")
    without_english = load_instrument(path)
    data = instrument_to_xlsform(without_english)
    header = next(load_workbook(io.BytesIO(data))["survey"].iter_rows(values_only=True))
    assert "label::English (en)" not in header
    assert instrument_from_xlsform(data) == without_english


def test_a_rating_scale_the_analysis_cannot_read_is_not_exported(tmp_path):
    path = tmp_path / "thu.yaml"
    path.write_text(textwrap.dedent(MINIMAL).replace("      - {value: 1, label: Một}\n", ""),
                    encoding="utf-8")
    with pytest.raises(NotExportable, match="phải là 1–5"):
        instrument_to_xlsform(load_instrument(path))


def test_xform_of_keeps_only_the_campaigns_blocks():
    instrument = shipped_instruments()["sipas-1001-dvhcc"]
    data = main_instance(xform_of(instrument, block_codes=["harassment"]))
    assert data.find(f"{XFORMS}harassment/{XFORMS}ph1") is not None
    assert data.find(f"{XFORMS}expectations") is None
    assert data.find(f"{XFORMS}pa/{XFORMS}pa3") is not None
    assert main_instance(xform_of(instrument)).find(f"{XFORMS}expectations") is not None


def test_a_form_made_in_a_spreadsheet_by_hand_is_read():
    """Kobo/Excel habits: "begin group" with a space, plain label column, start/end metadata."""
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    for row in [("type", "name", "label", "required", "appearance"),
                ("start", "start", None, None, None), ("end", "end", None, None, None),
                ("begin group", "tc", "Tiếp cận dịch vụ", None, "field-list"),
                ("select_one hl", "tc1", "Nơi ngồi chờ có đủ chỗ ngồi", None, None),
                ("end group", None, None, None, None),
                ("select_one doi_tuong", "respondent_type", "Ông/Bà là", "TRUE", None),
                ("text", "comment", "Ý kiến khác", None, None)]:
        survey.append(row)
    choices = workbook.create_sheet("choices")
    choices.append(("list_name", "name", "label", "satisfied"))
    for value in range(1, 6):
        choices.append(("hl", value, f"Mức {value}", "yes" if value >= 4 else None))
    choices.append(("doi_tuong", "ca_nhan", "Cá nhân", None))
    settings = workbook.create_sheet("settings")
    settings.append(("form_id", "version", "form_title"))
    settings.append(("khao-sat-xa", 2024010101, "Khảo sát của xã"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    instrument = instrument_from_xlsform(buffer.getvalue())
    assert (instrument.code, instrument.version) == ("khao-sat-xa", 2024010101)
    assert [i.code for i in instrument.rating_items] == ["tc1"]
    assert instrument.scales["hl"].values == (1, 2, 3, 4, 5)
    assert not instrument.scales["hl"].accepts(NOT_APPLICABLE)  # no NA choice, no NA
    assert instrument.profile_question("respondent_type").required
    assert instrument.profile_question("comment").max_length == 2000
    assert "Khảo sát của xã" in instrument.source


def test_edits_in_excel_that_keep_the_meaning_read_the_same():
    instrument = shipped_instruments()["sipas-2640"]

    def change(workbook):
        row = row_of(workbook, "survey", name="comment")
        set_cell(workbook, "survey", row, "constraint", "string-length( . )<=2000")
        set_cell(workbook, "survey", row, "appearance", "multiline")

    assert instrument_from_xlsform(edited(instrument_to_xlsform(instrument), change)) == \
        instrument
