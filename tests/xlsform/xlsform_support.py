"""Helpers of the XLSForm tests: edit a workbook as a person would in Excel, read an XForm."""

from __future__ import annotations

import io
from collections.abc import Callable
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring
from openpyxl import Workbook, load_workbook

XFORMS = "{http://www.w3.org/2002/xforms}"


def edited(data: bytes, change: Callable[[Workbook], None]) -> bytes:
    """The workbook ``data`` after ``change`` (which edits it in place)."""
    workbook = load_workbook(io.BytesIO(data))
    change(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row_of(workbook: Workbook, sheet: str, **cells: str) -> int:
    """The Excel number of the first row of ``sheet`` whose columns have these values."""
    rows = list(workbook[sheet].iter_rows(values_only=True))
    header = list(rows[0])
    for number, values in enumerate(rows[1:], start=2):
        if all(values[header.index(name)] == value for name, value in cells.items()):
            return number
    raise LookupError(cells)


def set_cell(workbook: Workbook, sheet: str, row: int, column: str, value: object) -> None:
    """Set the cell of ``column`` (a header, added at the end when new) in ``row``."""
    worksheet = workbook[sheet]
    header = [cell.value for cell in worksheet[1]]
    if column not in header:
        worksheet.cell(row=1, column=len(header) + 1, value=column)
        header.append(column)
    worksheet.cell(row=row, column=header.index(column) + 1).value = value  # None clears


def main_instance(xform: str) -> Element:
    """The first child of the XForm's primary ``<instance>`` (the ``<data>`` element)."""
    model = fromstring(xform).find(f".//{XFORMS}model")
    instance = next(i for i in model.findall(f"{XFORMS}instance") if "id" not in i.attrib)
    return next(iter(instance))
