"""The XLSX workbook for the PAR scoring: summary, one sheet per level of the unit tree,
criteria, cuts, method, optional raw data.

Written in openpyxl's write-only mode (rows go to temporary files, memory stays flat however
many raw responses there are) into a zip whose every entry carries the time the results were
computed, so the same results give the same bytes (approval compares SHA-256 of downloads).
"""

from __future__ import annotations

import os
import shutil
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from .. import cuts
from . import tables as t
from .safety import neutralise
from .sheet_titles import unique_title

NUMBER_FORMAT = "0.00"
SHEET_SUMMARY = "Tổng hợp"
SHEET_CRITERIA = "Tiêu chí"
SHEET_METHOD = "Phương pháp"
SHEET_RAW = "Dữ liệu thô"

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
_WRAP = Alignment(wrap_text=True, vertical="top")

SUMMARY_HEADERS = ("Hạng", "Mã đơn vị", "Tên đơn vị", "Chỉ số chung (%)",
                   "Cận dưới KTC 95% (%)", "Cận trên KTC 95% (%)", "Số phiếu hợp lệ",
                   "Số phiếu không tính", "Tổng số phiếu", "Cỡ mẫu yêu cầu", "Tình trạng mẫu",
                   "Số hồ sơ N", "Tỷ lệ phản hồi (%)", "Điểm CCHC", "Điểm CCHC cận dưới",
                   "Điểm CCHC cận trên", "So với toàn huyện", "Ghi chú")


def summary_headers(results: Mapping[str, Any]) -> list[str]:
    """SUMMARY_HEADERS with the comparison named after the organiser's level."""
    return [t.compare_heading(results) if name == "So với toàn huyện" else name
            for name in SUMMARY_HEADERS]


#: The level sheets' extra column: how many covered units an aggregate pools.
POOLED_HEADER = "Số đơn vị gộp"
#: What the "Phương pháp" sheet says about the level sheets, when there are any.
LEVELS_LINE = "Các cấp"
LEVELS_TEXT = ("Sau bảng \"Tổng hợp\", mỗi cấp có đơn vị cấp dưới được khảo sát có một "
               "bảng riêng: các đơn vị trực thuộc xếp hạng như trên trang kết quả của cấp, "
               "tổng hợp của cấp ở dòng cuối. Đơn vị có nhiều đơn vị được khảo sát bên dưới "
               "là tổng hợp của chúng, tính như dòng tổng hợp (cột \"Số đơn vị gộp\"), cỡ "
               "mẫu là tổng cỡ mẫu của chúng; mỗi đơn vị được so sánh với tổng hợp của cấp.")


def level_headers(results: Mapping[str, Any], position: int, found: Mapping[str, Any]
                  ) -> list[str]:
    """SUMMARY_HEADERS with "Số đơn vị gộp" after the name, the comparison named after the
    level's total: "So với toàn tỉnh" at the organiser's (the first level), "So với tổng hợp
    Xã Vân Canh" below it."""
    root = found.get("root") or {}
    compare = (t.compare_heading(results) if position == 0
               else f"So với tổng hợp {root.get('name') or ''}".rstrip())
    headers = [compare if name == "So với toàn huyện" else name for name in SUMMARY_HEADERS]
    headers.insert(headers.index("Tên đơn vị") + 1, POOLED_HEADER)
    return headers


CRITERIA_HEADERS = ("Mã đơn vị", "Tên đơn vị", "Yếu tố", "Mã tiêu chí", "Tiêu chí",
                    "Chỉ số (%)", "Cận dưới KTC 95% (%)", "Cận trên KTC 95% (%)",
                    "Số câu trả lời hợp lệ", "Điểm bình quân (1–5)")
BY_HEADERS = ("Nhóm", "Mã đơn vị", "Tên đơn vị", "Số phiếu hợp lệ", "Chỉ số chung (%)",
              "Cận dưới KTC 95% (%)", "Cận trên KTC 95% (%)")


def write_workbook(results: Mapping[str, Any], stream: IO[bytes],
                   raw_rows: Iterable[Sequence[Any]] | None = None) -> None:
    """Write the workbook of ``results`` to ``stream``; ``raw_rows`` = header row, then rows."""
    workbook = Workbook(write_only=True)
    moment = t.computed_at(results)
    workbook.properties.created = moment
    workbook.properties.modified = moment
    workbook.properties.creator = "Khảo sát sự hài lòng (SIPAS)"
    workbook.properties.title = f"Kết quả khảo sát — {t.campaign_label(results)}"
    workbook.properties.language = "vi-VN"
    _summary_sheet(workbook, results)
    _level_sheets(workbook, results)
    _criteria_sheet(workbook, results)
    if isinstance(results.get("by"), Mapping):
        _by_sheet(workbook, results, results["by"])
    _method_sheet(workbook, results)
    if raw_rows is not None:
        _raw_sheet(workbook, raw_rows)
    archive = _FixedTimeZip(stream, (max(moment.year, 1980), *moment.timetuple()[1:6]))
    # ExcelWriter.save() closes the archive; save_workbook() would stamp "modified" with now.
    ExcelWriter(workbook, archive).save()


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose entries all carry one timestamp, so equal content gives equal bytes."""

    def __init__(self, stream: IO[bytes], date_time: tuple[int, ...]) -> None:
        super().__init__(stream, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._date_time = date_time

    def _info(self, name: str, size: int = 0) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, self._date_time)  # type: ignore[arg-type]
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        info.file_size = size
        return info

    def writestr(self, zinfo_or_arcname, data, *args, **kwargs):  # type: ignore[override]
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = self._info(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename, arcname=None, *args, **kwargs):  # type: ignore[override]
        """Copy a worksheet's temporary file in chunks (never whole into memory)."""
        info = self._info(str(arcname or filename), os.path.getsize(filename))
        with open(filename, "rb") as source, self.open(info, "w") as target:
            shutil.copyfileobj(source, target, 1 << 16)


def _text_cell(sheet: Any, value: Any, header: bool = False, wrap: bool = False) -> WriteOnlyCell:
    """A cell stored as text (type "s"), neutralised against formula injection."""
    cell = WriteOnlyCell(sheet, value=neutralise("" if value is None else str(value)))
    cell.data_type = "s"
    if header:
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _WRAP
    elif wrap:
        cell.alignment = _WRAP
    return cell


def _number_cell(sheet: Any, value: Any, decimals: bool = True) -> WriteOnlyCell:
    """A numeric cell (0.00 for indices); empty when the value is undefined."""
    cell = WriteOnlyCell(sheet, value=t.number(value))
    if decimals:
        cell.number_format = NUMBER_FORMAT
    return cell


def _new_sheet(workbook: Workbook, title: str, headers: Sequence[str],
               widths: Sequence[float], freeze: str = "A2") -> Any:
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = freeze
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.append([_text_cell(sheet, header, header=True) for header in headers])
    return sheet


def _interval_cells(sheet: Any, stat: Mapping[str, Any]) -> list[WriteOnlyCell]:
    return [_number_cell(sheet, stat.get(key)) for key in ("index", "ci_low", "ci_high")]


def _summary_sheet(workbook: Workbook, results: Mapping[str, Any]) -> None:
    """The ranked units, then those "Chưa đủ mẫu — chưa xếp hạng" (§6), then the district."""
    elements = t.element_codes(results)
    headers = [*summary_headers(results),
               *(f"Yếu tố: {t.element_title(results, code)} (%)" for code in elements)]
    widths = [7, 14, 36, 12, 12, 12, 10, 10, 10, 10, 14, 10, 10, 10, 10, 10, 16, 40,
              *([14] * len(elements))]
    sheet = _new_sheet(workbook, SHEET_SUMMARY, headers, widths, freeze="D2")
    for heading, units in t.ranking_sections(results.get("units") or []):
        if heading:
            sheet.append([_text_cell(sheet, heading, header=True)])
        for unit in units:
            sheet.append(_summary_row(sheet, results, unit, unit.get("unit_name"), elements))
    if isinstance(results.get("district"), Mapping):
        district = results["district"]
        sheet.append(_summary_row(sheet, results, district, t.district_name(results), elements,
                                  is_district=True))


def _levels(results: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [each for each in results.get("levels") or [] if isinstance(each, Mapping)]


def level_titles(results: Mapping[str, Any]) -> list[str]:
    """The titles of the level sheets, in the order of ``results["levels"]``: "Cấp tỉnh"
    for the organiser's, the unit's name below it; cut to Excel's 31 characters and
    numbered when taken (docs/exports.md)."""
    found = _levels(results)
    taken = {title.casefold() for title in (SHEET_SUMMARY, SHEET_CRITERIA, SHEET_METHOD,
                                            SHEET_RAW, *(cut.title for cut in cuts.CUTS.values()))}
    return [unique_title(f"Cấp {t.level_word(results)}" if position == 0
                         else str((each.get("root") or {}).get("name") or ""), taken)
            for position, each in enumerate(found)]


def _level_sheets(workbook: Workbook, results: Mapping[str, Any]) -> None:
    """One sheet per level with a drill-down (``results["levels"]``, docs/results-json.md):
    its children ranked as on the level page, the units short of their sample after them,
    the level's total last; an aggregate says how many units it pools."""
    found = _levels(results)
    elements = t.element_codes(results)
    widths = [7, 14, 36, 10, 12, 12, 12, 10, 10, 10, 10, 14, 10, 10, 10, 10, 10, 16, 40,
              *([14] * len(elements))]
    pooled_at = SUMMARY_HEADERS.index("Tên đơn vị") + 1
    for position, (title, each) in enumerate(zip(level_titles(results), found, strict=True)):
        headers = [*level_headers(results, position, each),
                   *(f"Yếu tố: {t.element_title(results, code)} (%)" for code in elements)]
        sheet = _new_sheet(workbook, title, headers, widths, freeze="D2")
        for heading, units in t.ranking_sections(each.get("children") or []):
            if heading:
                sheet.append([_text_cell(sheet, heading, header=True)])
            for unit in units:
                row = _summary_row(sheet, results, unit, unit.get("unit_name"), elements)
                pooled = unit.get("n_units") if unit.get("has_levels") else None
                row.insert(pooled_at, _number_cell(sheet, pooled, decimals=False))
                sheet.append(row)
        summary = each.get("summary")
        if isinstance(summary, Mapping):
            row = _summary_row(sheet, results, summary, summary.get("unit_name"), elements,
                               is_district=True)
            row.insert(pooled_at, _number_cell(sheet, None, decimals=False))
            sheet.append(row)


def _summary_row(sheet: Any, results: Mapping[str, Any], unit: Mapping[str, Any], name: Any,
                 elements: list[str], is_district: bool = False) -> list[WriteOnlyCell]:
    def unit_only(value: Any, decimals: bool = True) -> WriteOnlyCell:
        return _number_cell(sheet, None if is_district else value, decimals=decimals)

    rate = t.number(unit.get("response_rate"))
    return [
        unit_only(unit.get("rank"), decimals=False),
        _text_cell(sheet, unit.get("unit_code")),
        _text_cell(sheet, name),
        *_interval_cells(sheet, t.stat(unit, "overall")),
        _number_cell(sheet, unit.get("n_valid"), decimals=False),
        _number_cell(sheet, unit.get("n_excluded"), decimals=False),
        _number_cell(sheet, unit.get("n_responses"), decimals=False),
        unit_only(unit.get("sample_required"), decimals=False),
        _text_cell(sheet, "" if is_district else t.sample_label(unit)),
        unit_only(unit.get("n_dossiers"), decimals=False),
        unit_only(None if rate is None else 100 * rate),
        unit_only(unit.get("points")),
        unit_only(unit.get("points_ci_low")),
        unit_only(unit.get("points_ci_high")),
        _text_cell(sheet, "" if is_district else t.comparison_label(unit)),
        _text_cell(sheet, t.unit_notes(results, unit), wrap=True),
        *(_number_cell(sheet, t.stat(unit, "elements", code).get("index"))
          for code in elements),
    ]


def _criteria_sheet(workbook: Workbook, results: Mapping[str, Any]) -> None:
    sheet = _new_sheet(workbook, SHEET_CRITERIA, CRITERIA_HEADERS,
                       (14, 30, 24, 9, 60, 11, 12, 12, 12, 12), freeze="C2")
    criteria = t.criterion_codes(results)
    element_of = t.element_of(results)
    units = [unit for _, rows in t.ranking_sections(results.get("units") or []) for unit in rows]
    rows = [(unit, unit.get("unit_name")) for unit in units]
    if isinstance(results.get("district"), Mapping):
        rows.append((results["district"], t.district_name(results)))
    for unit, name in rows:
        for code in criteria:
            stat = t.stat(unit, "criteria", code)
            element = element_of.get(code)
            sheet.append([
                _text_cell(sheet, unit.get("unit_code")), _text_cell(sheet, name),
                _text_cell(sheet, t.element_title(results, element) if element else ""),
                _text_cell(sheet, code), _text_cell(sheet, t.criterion_text(results, code)),
                *_interval_cells(sheet, stat),
                _number_cell(sheet, stat.get("n"), decimals=False),
                _number_cell(sheet, stat.get("mean")),
            ])


def _by_sheet(workbook: Workbook, results: Mapping[str, Any], by: Mapping[str, Any]) -> None:
    dimension = str(by.get("dimension") or "")
    title = cuts.title(dimension)
    headers = (cuts.heading(dimension), *BY_HEADERS[1:])
    sheet = _new_sheet(workbook, title, headers, (28, 14, 36, 10, 12, 12, 12), freeze="B2")
    for group in by.get("groups") or []:
        label = t.group_label(results, group)
        rows = [(unit, unit.get("unit_name")) for unit in t.ranked_units(group.get("units") or [])]
        if isinstance(group.get("district"), Mapping):
            rows.append((group["district"], t.district_name(results)))
        for unit, name in rows:
            sheet.append([
                _text_cell(sheet, label), _text_cell(sheet, unit.get("unit_code")),
                _text_cell(sheet, name),
                _number_cell(sheet, unit.get("n_valid"), decimals=False),
                *_interval_cells(sheet, t.stat(unit, "overall")),
            ])


def _method_sheet(workbook: Workbook, results: Mapping[str, Any]) -> None:
    sheet = _new_sheet(workbook, SHEET_METHOD, ("Mục", "Nội dung"), (34, 100))
    lines = [
        ("Đợt khảo sát", t.campaign_label(results)),
        ("Bộ phiếu", t.instrument_label(results.get("instrument"))),
        *t.setting_lines(results),
        ("Thời điểm tính", t.computed_text(results)),
        ("Số đơn vị", str(len(results.get("units") or []))),
    ]
    if results.get("levels"):
        lines.append((LEVELS_LINE, LEVELS_TEXT))
    district_note = t.unit_notes(results, results.get("district") or {})
    if district_note:
        lines.append((t.district_name(results), district_note))
    lines += [(f"Không tính — {what}", value) for what, value in t.excluded_lines(results)]
    lines += t.approval_lines(results)
    lines += t.definitions(results)
    for what, value in lines:
        sheet.append([_text_cell(sheet, what, wrap=True), _text_cell(sheet, value, wrap=True)])


def _raw_sheet(workbook: Workbook, raw_rows: Iterable[Sequence[Any]]) -> None:
    """Anonymous raw responses, row by row: text neutralised, numbers kept as numbers."""
    rows = iter(raw_rows)
    header = next(rows, None)
    if header is None:
        return
    sheet = _new_sheet(workbook, SHEET_RAW, [str(h) for h in header], [14] * len(header))
    for row in rows:
        sheet.append([neutralise(value) for value in row])
