"""The shipped instruments match METHODOLOGY §2, and malformed files are explained."""

from __future__ import annotations

import textwrap
import unicodedata
from pathlib import Path

import pytest

from questionnaires import (
    EXAMPLE_SCORING_FILE,
    NOT_APPLICABLE,
    DefinitionError,
    load_instrument,
    load_scoring_rules,
    shipped_instruments,
)
from questionnaires.loader import build_instrument
from questionnaires.yamlfile import Located

SIPAS_2640_CODES = (["tc1", "tc2", "tc3", "tc4"] + [f"tt{i}" for i in range(1, 6)]
                    + [f"cc{i}" for i in range(1, 7)] + ["kq1", "kq2", "kq3"]
                    + [f"pa{i}" for i in range(1, 5)])
SIPAS_1001_CODES = (["tc1", "tc2", "tc3"] + [f"tt{i}" for i in range(1, 5)]
                    + ["cc1", "cc2", "cc3", "kq1", "kq2", "kq3", "pa1", "pa2", "pa3"])


def test_sipas_2640_has_22_criteria_in_five_elements():
    instrument = shipped_instruments()["sipas-2640"]
    assert [item.code for item in instrument.rating_items] == SIPAS_2640_CODES
    assert [(e.code, len(e.items)) for e in instrument.elements] == [
        ("tc", 4), ("tt", 5), ("cc", 6), ("kq", 3), ("pa", 4)]
    # Criteria seen verbatim in published summaries (METHODOLOGY §2.1, marked *).
    assert instrument.item("cc1").text == "Công chức có thái độ giao tiếp lịch sự"
    assert instrument.item("tt5").text == (
        "Thời hạn giải quyết (tính từ ngày hồ sơ được tiếp nhận đến ngày trả kết quả) "
        "là đúng quy định")
    assert instrument.item("pa4").text == (
        "Cơ quan có thông báo kết quả xử lý góp ý, phản ánh, kiến nghị kịp thời")
    assert "2640/QĐ-BNV" in instrument.source


def test_sipas_1001_has_16_items_and_optional_blocks():
    instrument = shipped_instruments()["sipas-1001-dvhcc"]
    assert [item.code for item in instrument.rating_items] == SIPAS_1001_CODES
    assert instrument.item("cc1").text == (
        "Công chức có thái độ giao tiếp lịch sự, tôn trọng đối với người dân")
    assert instrument.item("kq1").text.startswith("Kết quả giải quyết")
    harassment = instrument.block("harassment")
    assert [o.label for o in harassment.items[0].scale.options] == [
        "Không có", "Có một số", "Có nhiều"]
    expectations = instrument.block("expectations")
    assert len(expectations.items) == 10
    assert [o.label for o in expectations.items[0].scale.options] == [
        "Không", "Khá", "Mong muốn", "Rất mong muốn"]
    assert not any(item.scale.rating for item in harassment.items + expectations.items)
    assert "1001/QĐ-BNV" in instrument.source


@pytest.mark.parametrize("code", ["sipas-2640", "sipas-1001-dvhcc"])
def test_every_instrument_has_the_scale_profile_and_nfc_text(code):
    instrument = shipped_instruments()[code]
    scale = instrument.scales["satisfaction"]
    assert [o.label for o in scale.options] == [
        "Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"]
    assert scale.satisfied == {4, 5}
    assert scale.accepts(NOT_APPLICABLE) and not scale.accepts(6)
    assert scale.label_for(NOT_APPLICABLE) == "Không áp dụng / không ý kiến"
    profile = {q.code: q for q in instrument.profile}
    assert profile["respondent_type"].required
    assert profile["respondent_type"].option_codes() == ("ca_nhan", "to_chuc")
    assert profile["field"].option_codes() == (
        "dat_dai", "ld_tbxh", "ho_tich", "chung_thuc", "xay_dung", "dkkd", "tu_phap", "khac")
    assert profile["age_band"].option_codes() == ("18-24", "25-34", "35-49", "50-60", "60+")
    assert profile["submission_mode"].option_codes() == ("truc_tiep", "mot_phan", "toan_trinh")
    assert profile["comment"].max_length == 2000
    texts = [item.text for item in instrument.rating_items] + [e.title for e in
                                                               instrument.elements]
    # Precomposed (NFC) Vietnamese, so that text search and PDF rendering agree.
    assert all(unicodedata.normalize("NFC", text) == text for text in texts)


def write(tmp_path: Path, text: str, name: str = "thu.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


VALID = """\
    code: thu
    version: 1
    title: Phiếu thử
    source: Tự soạn cho kiểm thử
    scales:
      sat:
        rating: true
        satisfied: [4, 5]
        options:
          - {value: 4, label: Hài lòng}
          - {value: 5, label: Rất hài lòng}
    elements:
      - code: tc
        title: Tiếp cận
        scale: sat
        items:
          - {code: tc1, text: Câu một}
          - {code: tc2, text: Câu hai}
    profile:
      - code: respondent_type
        label: Ông/Bà là
        required: true
        options:
          - {value: ca_nhan, label: Cá nhân}
"""


def test_a_minimal_valid_file_loads(tmp_path):
    instrument = load_instrument(write(tmp_path, VALID))
    assert instrument.label == "thu v1"
    assert instrument.element_of() == {"tc1": "tc", "tc2": "tc"}


@pytest.mark.parametrize(("change", "place", "line", "words"), [
    (("- {code: tc2, text: Câu hai}", "- {code: tc1, text: Câu hai}"),
     "elements[1].items[2].code", 18, "mã câu hỏi 'tc1' bị trùng"),
    (("    scale: sat\n    items", "    scale: sao\n    items"),
     "elements[1].scale", 15, "thang 'sao' chưa được khai báo"),
    (("    items:\n      - {code: tc1, text: Câu một}\n      - {code: tc2, text: Câu hai}\n",
      "    items: []\n"),
     "elements[1].items", 16, "không có câu hỏi nào"),
    (("version: 1", "version: một"), "version", 2, "số nguyên dương"),
    (("code: respondent_type", "code: gender"), "profile", 20, "respondent_type"),
    (("title: Phiếu thử", "title: Phiếu thử\ntitle: Lặp"), "title", 4, "xuất hiện hai lần"),
    (("satisfied: [4, 5]", "satisfied: [3]"), "scales.sat.satisfied", 8, "giá trị của thang"),
    (("- {code: tc1, text: Câu một}", "- {code: TC 1, text: Câu một}"),
     "elements[1].items[1].code", 17, "không hợp lệ"),
    (("source: Tự soạn cho kiểm thử", "nguon: sai"), "nguon", 4, "không được hỗ trợ"),
    (("- {code: tc2, text: Câu hai}", "- {code: tc2, text: Câu hai, tc3}"),
     "elements[1].items[2].tc3", 18, "không được hỗ trợ"),
    (("- {code: tc1, text: Câu một}", "- {code: tc1, text: Câu một, text_en: 5}"),
     "elements[1].items[1].text_en", 17, "bản tiếng Anh 'text_en' phải là chuỗi không rỗng"),
    (("- {code: tc2, text: Câu hai}", "- {code: tc2, text: Câu hai, text_en: [Two, 2]}"),
     "elements[1].items[2].text_en", 18, "phải là chuỗi không rỗng"),
    (("    title: Tiếp cận\n", "    title: Tiếp cận\n    title_en: ''\n"),
     "elements[1].title_en", 15, "phải là chuỗi không rỗng"),
    (("- {value: 4, label: Hài lòng}", "- {value: 4, label: Hài lòng, label_en: {a: b}}"),
     "scales.sat.options[1].label_en", 10, "phải là chuỗi không rỗng"),
    (("    rating: true\n", "    rating: true\n    not_applicable_en: None\n"),
     "scales.sat.not_applicable_en", 8, "thiếu bản tiếng Việt 'not_applicable'"),
    (("title: Phiếu thử", "title: Phiếu thử\nintro_en: Hello"), "intro_en", 4,
     "thiếu bản tiếng Việt 'intro'"),
    (("    label: Ông/Bà là\n", "    label: Ông/Bà là\n    label_en: 12\n"),
     "profile[1].label_en", 22, "phải là chuỗi không rỗng"),
])
def test_malformed_files_name_file_place_and_problem(tmp_path, change, place, line, words):
    old, new = change
    text = textwrap.dedent(VALID)
    assert old in text
    path = write(tmp_path, text.replace(old, new))
    with pytest.raises(DefinitionError) as caught:
        load_instrument(path)
    error = caught.value
    assert error.origin == "thu.yaml"
    assert error.place == place
    assert error.line == line
    assert words in str(error)
    assert str(error).startswith(f"thu.yaml, dòng {line} ({place}):")


def test_english_wordings_load_and_fall_back_to_vietnamese(tmp_path):
    text = (textwrap.dedent(VALID)
            .replace("title: Phiếu thử", "title: Phiếu thử\ntitle_en: Test form")
            .replace("- {code: tc1, text: Câu một}", "- {code: tc1, text: Câu một, text_en: One}")
            .replace("- {value: 4, label: Hài lòng}",
                     "- {value: 4, label: Hài lòng, label_en: Satisfied}"))
    instrument = load_instrument(write(tmp_path, text))
    assert instrument.title_for("en") == ("Test form", "en", False)
    assert instrument.title_for("vi") == ("Phiếu thử", "vi", False)
    assert instrument.item("tc1").text_for("en_GB").text == "One"
    # No English for tc2: the Vietnamese, saying it stands in for the missing English.
    assert instrument.item("tc2").text_for("en") == ("Câu hai", "vi", True)
    options = instrument.scales["sat"].options
    assert [option.label_for("en").text for option in options] == ["Satisfied", "Rất hài lòng"]
    assert instrument.profile_question("respondent_type").text_for("en").fallback
    assert not instrument.intro_for("en").fallback  # no intro at all is not a missing wording


@pytest.mark.parametrize("code", ["sipas-2640", "sipas-1001-dvhcc"])
def test_shipped_instruments_have_english_for_every_text(code):
    instrument = shipped_instruments()[code]
    wordings = [instrument.title_for("en"), instrument.intro_for("en")]
    wordings += [element.title_for("en") for element in instrument.elements]
    wordings += [w for block in instrument.blocks
                 for w in (block.title_for("en"), block.prompt_for("en"))]
    items = instrument.items_for([block.code for block in instrument.blocks])
    wordings += [item.text_for("en") for item in items]
    for scale in instrument.scales.values():
        wordings += [option.label_for("en") for option in scale.options]
        wordings += [scale.not_applicable_for("en")] if scale.not_applicable else []
    for question in instrument.profile:
        wordings += [question.text_for("en")]
        wordings += [option.label_for("en") for option in question.options]
    assert [w.text for w in wordings if w.language != "en"] == []
    assert instrument.item("cc1").text_for("en").text.startswith("The civil servants")


def test_yaml_syntax_and_encoding_errors_are_located(tmp_path):
    path = write(tmp_path, VALID.replace("    title: Phiếu thử", "    title: [Phiếu thử"))
    with pytest.raises(DefinitionError, match="lỗi cú pháp YAML"):
        load_instrument(path)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("title: Phiếu".encode("cp1258", errors="replace") + b"\xff")
    with pytest.raises(DefinitionError, match="không phải UTF-8"):
        load_instrument(latin)


def test_stored_definitions_are_checked_the_same_way():
    with pytest.raises(DefinitionError, match=r"elements.*không được để trống"):
        build_instrument(Located("đã lưu", {"code": "x", "version": 1, "title": "T",
                                            "source": "S", "scales": {"s": {"options": [
                                                {"value": 1, "label": "A"}]}},
                                            "elements": []}, {}))


def test_example_scoring_file_follows_methodology_6():
    rules = load_scoring_rules(EXAMPLE_SCORING_FILE)
    assert len(rules.rules) == 1
    rule = rules.rules[0]
    assert (rule.index, rule.max_points, rule.threshold) == ("overall", 30.0, 1.0)
    assert "mẫu" in rules.note.lower()


@pytest.mark.parametrize(("text", "place", "words"), [
    ("rules: []", "rules", "ít nhất một quy tắc"),
    ("rules:\n  - {code: a, label: A, index: overall, max_points: 30, threshold: 1.5}",
     "rules[1].threshold", "không quá 1"),
    ("rules:\n  - {code: a, label: A, index: tong, max_points: 30, threshold: 1}",
     "rules[1].index", "overall"),
    ("rules:\n  - {code: a, label: A, index: overall, max_points: -1, threshold: 1}",
     "rules[1].max_points", "số dương"),
    ("rules:\n  - {code: a, label: A, index: overall, max_points: 5, threshold: 1}\n"
     "  - {code: a, label: B, index: element:cc, max_points: 5, threshold: 0.9}",
     "rules[2].code", "bị trùng"),
])
def test_malformed_scoring_files_are_explained(tmp_path, text, place, words):
    path = write(tmp_path, f"title: Thử\nnote: Ghi chú\n{text}\n", name="diem.yaml")
    with pytest.raises(DefinitionError) as caught:
        load_scoring_rules(path)
    assert caught.value.place == place
    assert words in str(caught.value)
