"""Writing an instrument as an XLSForm workbook (survey, choices and settings sheets)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from ..model import Instrument, Option, Scale
from .sheets import (
    CHOICES,
    DEFAULT_MAX_LENGTH,
    INTRO_NAME,
    NOT_APPLICABLE_NAME,
    RATING_SATISFIED,
    RATING_VALUES,
    SATISFIED,
    SETTINGS,
    SOURCE,
    SURVEY,
    TITLE_EN,
    VIETNAMESE_COLUMN,
    NotExportable,
    column,
)

Cells = dict[str, object]


def instrument_to_xlsform(instrument: Instrument) -> bytes:
    """The instrument as an ``.xlsx`` XLSForm that pyxform, Kobo and ODK read."""
    _check_exportable(instrument)
    english = _has_english(instrument)
    languages = ("vi", "en") if english else ("vi",)
    workbook = Workbook()
    survey = workbook.active
    survey.title = SURVEY
    texts = ["label", "hint"] if any(b.prompt for b in instrument.blocks) else ["label"]
    survey_columns = (["type", "name"] + [column(t, lang) for t in texts for lang in languages]
                      + ["required", "constraint"]
                      + [column("constraint_message", lang) for lang in languages])
    _write(survey, survey_columns, _survey_rows(instrument))
    choices_columns = (["list_name", "name"] + [column("label", lang) for lang in languages]
                       + [SATISFIED])
    _write(workbook.create_sheet(CHOICES), choices_columns, _choice_rows(instrument))
    settings_columns = ["form_id", "version", "form_title"] + ([TITLE_EN] if english else [])
    settings_columns += ["default_language", SOURCE]
    _write(workbook.create_sheet(SETTINGS), settings_columns, [{
        "form_id": instrument.code, "version": str(instrument.version),
        "form_title": instrument.title, TITLE_EN: instrument.title_en,
        "default_language": VIETNAMESE_COLUMN, SOURCE: instrument.source}])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _labels(vietnamese: str | None, english: str | None, name: str = "label") -> Cells:
    return {column(name, "vi"): vietnamese, column(name, "en"): english}


def _survey_rows(instrument: Instrument) -> Iterable[Cells]:
    if instrument.intro:
        yield {"type": "note", "name": INTRO_NAME,
               **_labels(instrument.intro, instrument.intro_en)}
    groups = [(e.code, e.title, e.title_en, "", None, e.items) for e in instrument.elements]
    groups += [(b.code, b.title, b.title_en, b.prompt, b.prompt_en, b.items)
               for b in instrument.blocks]
    for code, title, title_en, prompt, prompt_en, items in groups:
        yield {"type": "begin_group", "name": code, **_labels(title, title_en),
               **(_labels(prompt, prompt_en, "hint") if prompt else {})}
        for item in items:
            yield {"type": f"select_one {item.scale.code}", "name": item.code,
                   **_labels(item.text, item.text_en)}
        yield {"type": "end_group", "name": code}
    for question in instrument.profile:
        row: Cells = {"name": question.code, **_labels(question.label, question.label_en),
                      "required": "yes" if question.required else None}
        if question.kind == "text":
            limit = question.max_length or DEFAULT_MAX_LENGTH
            row.update({"type": "text", "constraint": f"string-length(.) <= {limit}",
                        **_labels(f"Tối đa {limit} ký tự.", f"At most {limit} characters.",
                                  "constraint_message")})
        else:
            row["type"] = f"select_one {question.code}"
        yield row


def _option_row(list_name: str, option: Option, satisfied: bool = False) -> Cells:
    return {"list_name": list_name, "name": str(option.value),
            **_labels(option.label, option.label_en), SATISFIED: "yes" if satisfied else None}


def _choice_rows(instrument: Instrument) -> Iterable[Cells]:
    for scale in instrument.scales.values():
        for option in scale.options:
            yield _option_row(scale.code, option, option.value in scale.satisfied)
        if scale.not_applicable:
            yield {"list_name": scale.code, "name": NOT_APPLICABLE_NAME,
                   **_labels(scale.not_applicable, scale.not_applicable_en)}
    for question in instrument.profile:
        for option in question.options:
            yield _option_row(question.code, option)


def _write(sheet: Worksheet, columns: list[str], rows: Iterable[Cells]) -> None:
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row.get(name) or None for name in columns])
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # a text starting with "=" stays text, never a formula
                cell.data_type = "s"
    for letter, width in zip("ABCDE", (24, 18, 60, 60, 30), strict=False):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"


def _has_english(instrument: Instrument) -> bool:
    texts = [instrument.title_en, instrument.intro_en]
    texts += [e.title_en for e in instrument.elements]
    texts += [t for b in instrument.blocks for t in (b.title_en, b.prompt_en)]
    texts += [i.text_en for i in instrument.items_for([b.code for b in instrument.blocks])]
    for scale in instrument.scales.values():
        texts += [o.label_en for o in scale.options] + [scale.not_applicable_en]
    texts += [t for q in instrument.profile for t in (q.label_en, *(o.label_en
                                                                    for o in q.options))]
    return any(texts)


def _check_exportable(instrument: Instrument) -> None:
    """Refuse what the workbook could not carry back: it must read back the same."""
    for scale in instrument.scales.values():
        _check_scale(scale)
    for block in instrument.blocks:
        if block.items[0].scale.rating:
            raise NotExportable(f"khối '{block.code}' dùng thang đánh giá "
                                f"'{block.items[0].scale.code}': trong XLSForm, nhóm dùng thang "
                                "đánh giá là một yếu tố")
    names: dict[str, str] = {}
    everything = [(INTRO_NAME, "lời giới thiệu")] if instrument.intro else []
    everything += [(e.code, "yếu tố") for e in instrument.elements]
    everything += [(b.code, "khối") for b in instrument.blocks]
    everything += [(i.code, "câu hỏi") for i in instrument.items_for(
        [b.code for b in instrument.blocks])]
    everything += [(q.code, "câu hỏi thông tin") for q in instrument.profile]
    for name, what in everything:
        if name in names:
            raise NotExportable(f"tên '{name}' vừa là {names[name]} vừa là {what}; "
                                "XLSForm cần mỗi tên một lần")
        names[name] = what
    lists = set(instrument.scales)
    for question in instrument.profile:
        if question.kind == "choice" and question.code in lists:
            raise NotExportable(f"câu hỏi '{question.code}' trùng tên với thang "
                                f"'{question.code}' (cả hai là danh sách trên trang 'choices')")


def _check_scale(scale: Scale) -> None:
    if scale.rating != bool(scale.satisfied):
        raise NotExportable(f"thang '{scale.code}': cột 'satisfied' chỉ ghi được thang đánh giá "
                            "có mức hài lòng")
    if scale.rating and (scale.values != RATING_VALUES or scale.satisfied != RATING_SATISFIED):
        raise NotExportable(f"thang đánh giá '{scale.code}' phải là 1–5 với 4, 5 là hài lòng "
                            "(METHODOLOGY §2, §3)")
