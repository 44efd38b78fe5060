"""Reading an XLSForm workbook back into an instrument definition, or saying why not.

Every refusal names the sheet and the row (as Excel numbers them) and says what to change.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook

from ..loader import build_instrument
from ..model import Instrument
from ..yamlfile import DefinitionError, Located
from .sheets import (
    CHOICES,
    NOT_APPLICABLE_NAME,
    RATING_SATISFIED,
    RATING_VALUES,
    SATISFIED,
    SETTINGS,
    SOURCE,
    SURVEY,
    TITLE_EN,
    Row,
    XLSFormError,
    cell_text,
    header_key,
)
from .survey import Places, read_survey


@dataclass
class ChoiceList:
    """The rows of one ``list_name`` on the choices sheet."""

    name: str
    rows: list[Row] = field(default_factory=list)

    @property
    def rating(self) -> bool:
        """Marked as a rating scale: some choice has ``satisfied`` = yes."""
        return any(row.flag(SATISFIED) for row in self.rows)

    def numeric(self) -> bool:
        return all(row.get("name").isdigit() or row.get("name") == NOT_APPLICABLE_NAME
                   for row in self.rows)


def definition_from_xlsform(data: bytes) -> dict[str, Any]:
    """The instrument definition (as stored in the database) of an XLSForm workbook."""
    sheets = _read_workbook(data)
    places: Places = {}
    definition = _settings(sheets, places)
    lists = _choice_lists(sheets.get(CHOICES, []))
    survey = read_survey(sheets[SURVEY], lists, places)
    scales = {name: _scale(choice_list, places) for name, choice_list in lists.items()
              if name not in survey.profile_lists and (choice_list.rating
                                                       or choice_list.numeric())}
    definition.update(scales=scales, elements=survey.elements, profile=survey.profile)
    if survey.blocks:
        definition["blocks"] = survey.blocks
    if survey.intro:
        definition.update(survey.intro)
    for index, question, list_name in survey.profile_choices:
        question["options"] = [_option(row, text=True) for row in lists[list_name].rows]
        for number, row in enumerate(lists[list_name].rows, 1):
            places[f"profile[{index}].options[{number}]"] = row
    try:
        build_instrument(Located("XLSForm", definition, {}))
    except XLSFormError:
        raise
    except DefinitionError as error:
        raise _placed(error, places) from None
    return definition


def instrument_from_xlsform(data: bytes) -> Instrument:
    """The instrument an XLSForm workbook describes (see ``definition_from_xlsform``)."""
    return build_instrument(Located("XLSForm", definition_from_xlsform(data), {}))


def _read_workbook(data: bytes) -> dict[str, list[Row]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise XLSFormError(None, None, "không đọc được: tệp phải là bảng tính Excel .xlsx "
                                       f"({error.__class__.__name__})") from None
    try:
        sheets = {sheet.title.strip().lower(): _rows(sheet.title.strip().lower(),
                                                     sheet.iter_rows(values_only=True))
                  for sheet in workbook.worksheets}
    finally:
        workbook.close()
    for needed, what in ((SURVEY, "các câu hỏi"), (SETTINGS, "form_id, version, form_title")):
        if needed not in sheets:
            raise XLSFormError(None, None, f"thiếu trang '{needed}' ({what})")
    return sheets


def _rows(name: str, rows: Iterator[tuple[Any, ...]]) -> list[Row]:
    """The filled rows of a sheet, their cells keyed by the header's (column, language)."""
    keys = [header_key(header) for header in next(rows, ())]
    result = []
    for number, values in enumerate(rows, start=2):
        cells = {key: cell_text(value) for key, value in zip(keys, values, strict=False)
                 if key is not None and cell_text(value)}
        if cells:
            result.append(Row(name, number, cells))
    return result


def _settings(sheets: dict[str, list[Row]], places: Places) -> dict[str, Any]:
    rows = sheets[SETTINGS]
    if not rows:
        raise XLSFormError(SETTINGS, 2, "trang 'settings' cần một dòng form_id, version, "
                                        "form_title")
    row = rows[0]
    version = row.get("version")
    if not version.isdigit() or int(version) < 1:
        raise row.error(f"version '{version}' phải là số nguyên dương (1, 2, …): mỗi lần sửa "
                        "nội dung bộ phiếu thì tăng version")
    definition: dict[str, Any] = {
        "code": row.get("form_id"), "version": int(version), "title": row.get("form_title"),
        "source": row.get(SOURCE) or f"Nhập từ XLSForm “{row.get('form_title')}”"}
    if row.get(TITLE_EN):
        definition["title_en"] = row.get(TITLE_EN)
    for key in ("code", "version", "title", "title_en", "source", ""):
        places[key] = row
    return definition


def _choice_lists(rows: list[Row]) -> dict[str, ChoiceList]:
    lists: dict[str, ChoiceList] = {}
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        list_name, name = row.get("list_name"), row.get("name")
        if not list_name or not name:
            raise row.error("mỗi lựa chọn cần cả 'list_name' và 'name'")
        if (list_name, name) in seen:
            raise row.error(f"lựa chọn '{name}' của danh sách '{list_name}' bị trùng "
                            f"(đã có ở dòng {seen[list_name, name]})")
        seen[list_name, name] = row.number
        lists.setdefault(list_name, ChoiceList(list_name)).rows.append(row)
    return lists


def _option(row: Row, text: bool) -> dict[str, Any]:
    if not row.get("label", "vi"):
        raise row.error("lựa chọn cần nhãn tiếng Việt (cột label::Tiếng Việt (vi))")
    option: dict[str, Any] = {"value": row.get("name") if text else int(row.get("name")),
                              "label": row.get("label", "vi")}
    if row.english("label"):
        option["label_en"] = row.english("label")
    return option


def _scale(choice_list: ChoiceList, places: Places) -> dict[str, Any]:
    """A scale from a list of values 1, 2, … (and NA); a rating list must be exactly 1–5."""
    place = f"scales.{choice_list.name}"
    places[place] = choice_list.rows[0]
    values = [row.get("name") for row in choice_list.rows]
    if choice_list.rating:
        _check_rating(choice_list, values)
    scale: dict[str, Any] = {"options": []}
    for row in choice_list.rows:
        name = row.get("name")
        if name == NOT_APPLICABLE_NAME:
            scale["not_applicable"] = row.get("label", "vi")
            if row.english("label"):
                scale["not_applicable_en"] = row.english("label")
            continue
        if not name.isdigit() or int(name) < 1:
            raise row.error(f"lựa chọn '{name}' của thang '{choice_list.name}' phải là số "
                            f"nguyên từ 1 (hoặc {NOT_APPLICABLE_NAME} cho 'Không áp dụng')")
        scale["options"].append(_option(row, text=False))
        places[f"{place}.options[{len(scale['options'])}]"] = row
    if choice_list.rating:
        scale.update(rating=True, satisfied=sorted(RATING_SATISFIED))
    return scale


def _check_rating(choice_list: ChoiceList, values: list[str]) -> None:
    wanted = [str(value) for value in RATING_VALUES]
    first = choice_list.rows[0]
    for row in choice_list.rows:
        if row.get("name") not in (*wanted, NOT_APPLICABLE_NAME):
            raise row.error(f"thang đánh giá '{choice_list.name}' chỉ có các giá trị 1–5 và "
                            f"{NOT_APPLICABLE_NAME} ('Không áp dụng'), không có "
                            f"'{row.get('name')}'")
        marked = row.flag(SATISFIED)
        if marked != (row.get("name") in {str(v) for v in RATING_SATISFIED}):
            raise row.error(f"thang đánh giá '{choice_list.name}': cột '{SATISFIED}' ghi yes "
                            "đúng ở giá trị 4 và 5 (METHODOLOGY §3: hài lòng = 4 hoặc 5)")
    missing = [value for value in wanted if value not in values]
    if missing:
        raise first.error(f"thang đánh giá '{choice_list.name}' thiếu giá trị "
                          f"{', '.join(missing)}: cần đủ 1–5 (và {NOT_APPLICABLE_NAME} nếu có "
                          "'Không áp dụng')")


_LAST_STEP = re.compile(r"(\.[^.\[\]]+|\[\d+\])$")


def _placed(error: DefinitionError, places: Places) -> XLSFormError:
    """A loader error about a place in the definition, told as the row it came from."""
    probe = error.place
    while probe and probe not in places:
        probe = _LAST_STEP.sub("", probe) if _LAST_STEP.search(probe) else ""
    row = places.get(probe) or places.get("")
    if row is None:
        return XLSFormError(None, None, error.message)
    return XLSFormError(row.sheet, row.number, error.message)
