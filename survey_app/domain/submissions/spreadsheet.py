"""An Excel workbook (.xlsx) read as the rows of text a CSV file would give: no formula run.

The first worksheet is read with openpyxl in read-only mode and ``data_only=True``: a cell
holding a formula gives the value Excel computed and saved with the file, never a value
computed here (nothing in the file is evaluated). A formula cell without a saved value (the
file was written by a program, not saved by Excel or LibreOffice) and a cell holding an error
(``#N/A``, ``#DIV/0!``…) are reported as problems. Dates become ``dd/mm/yyyy HH:MM:SS`` (the
time the sheet shows, local), whole numbers ``4`` (not ``4.0``), other numbers as written.

openpyxl is imported when a workbook is read, not when the app starts (issue 12).
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

#: The ZIP signature every .xlsx starts with, and the legacy .xls (OLE) one.
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Largest unpacked workbook accepted: a small upload must not unpack into gigabytes.
MAX_UNPACKED = 200 * 1024 * 1024


DAMAGED = ("không mở được tệp Excel này (tệp hỏng hoặc không phải .xlsx). Hãy mở bằng Excel "
           "và lưu lại dạng .xlsx hoặc CSV UTF-8.")


UNSAVED_FORMULA = ("ô có công thức nhưng tệp không lưu giá trị đã tính (công thức không được "
                   "tính ở đây). Hãy mở bằng Excel, lưu lại, hoặc dán giá trị thay công thức.")


class UnreadableWorkbook(Exception):
    """The file is not a workbook that can be read; the message says why, in Vietnamese."""


@dataclass
class Sheet:
    """The rows of the first worksheet: (row number as Excel shows it, cells as text), and the
    cells that cannot be read, as (row number, column name or letter, message)."""

    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)


def is_workbook(data: bytes) -> bool:
    """Whether ``data`` is a ZIP file (as .xlsx files are), by its content, not its name."""
    return data.startswith(ZIP_MAGIC)


def is_legacy_workbook(data: bytes) -> bool:
    """Excel 97–2003 (.xls): not read; Excel saves the same sheet as .xlsx or CSV UTF-8."""
    return data.startswith(OLE_MAGIC)


def read_workbook(data: bytes) -> Sheet:
    """The first worksheet's rows as text, and the cells that cannot be read."""
    _check_package(data)
    from openpyxl import load_workbook  # heavy: only when a workbook is read

    try:
        values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        # Read a second time, formulas as written, only to tell which cells hold one.
        formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False) \
            if _has_formulas(data) else None
    except Exception as exc:  # openpyxl raises many kinds on a damaged package
        raise UnreadableWorkbook(DAMAGED) from exc
    try:
        if not values.worksheets:
            raise UnreadableWorkbook("tệp Excel không có trang tính nào.")
        return _read_sheet(values.worksheets[0],
                           formulas.worksheets[0] if formulas is not None else None)
    except UnreadableWorkbook:
        raise
    except Exception as exc:
        raise UnreadableWorkbook("không đọc được nội dung tệp Excel (tệp hỏng). Hãy mở bằng "
                                 "Excel và lưu lại.") from exc
    finally:
        values.close()
        if formulas is not None:
            formulas.close()


#: A formula element of SpreadsheetML (``<f>``, ``<f t="shared" …/>``, ``<x:f>``).
FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet of the package holds a formula (its XML read as it unpacks)."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            with package.open(name) as stream:
                tail = b""
                while block := stream.read(1 << 20):
                    if FORMULA_TAG.search(tail + block):
                        return True
                    tail = block[-32:]
    return False


def _check_package(data: bytes) -> None:
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        names = set(package.namelist())
        unpacked = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnreadableWorkbook("tệp nén bị hỏng, không phải tệp Excel .xlsx đọc được.") from exc
    if "xl/workbook.xml" not in names:
        raise UnreadableWorkbook("tệp ZIP này không phải bảng tính Excel (.xlsx).")
    if unpacked > MAX_UNPACKED:
        raise UnreadableWorkbook(f"tệp Excel khi giải nén quá lớn (hơn {MAX_UNPACKED // 2**20} "
                                 "MB). Hãy chia thành nhiều tệp.")


def _read_sheet(values, formulas) -> Sheet:
    # Dimensions written by some programs are wrong; read every cell that is there.
    values.reset_dimensions()
    if formulas is not None:
        formulas.reset_dimensions()
    sheet = Sheet()
    header: list[str] = []
    line = 0
    formula_rows = formulas.iter_rows() if formulas is not None else itertools.repeat(())
    for value_row, formula_row in zip(values.iter_rows(), formula_rows, strict=False):
        line = next((cell.row for cell in value_row if getattr(cell, "row", None)), line + 1)
        cells = []
        for index, (cell, raw) in enumerate(itertools.zip_longest(value_row, formula_row)):
            if cell is None:
                break
            kind = getattr(raw, "data_type", "n")
            if kind == "e" or cell.data_type == "e":
                sheet.problems.append((line, _column(header, index),
                                       f"ô có lỗi công thức “{cell.value}”."))
                cells.append("")
            elif kind == "f" and cell.value is None:
                sheet.problems.append((line, _column(header, index), UNSAVED_FORMULA))
                cells.append("")
            else:
                cells.append(cell_text(cell.value))
        while cells and not cells[-1]:
            cells.pop()
        if not header:
            header = [text.strip().lower() for text in cells]
        elif len(cells) > len(header):
            sheet.problems.append((line, _letter(len(header)), "ô nằm ngoài các cột có tiêu đề "
                                   "ở dòng 1."))
            cells = cells[:len(header)]
        sheet.rows.append((line, cells + [""] * (len(header) - len(cells))))
    return sheet


def cell_text(value) -> str:
    """A cell's value as the text a CSV file saved by Excel would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        # Excel keeps times as fractions of a day: 08:30 may come back as 08:29:59.999.
        value = (value + timedelta(microseconds=500_000)).replace(microsecond=0)
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _column(header: list[str], index: int) -> str:
    """A column by its heading, or by its letter where it has none."""
    return header[index] if index < len(header) and header[index] else _letter(index)


def _letter(index: int) -> str:
    """Excel's column letter for a 0-based index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
