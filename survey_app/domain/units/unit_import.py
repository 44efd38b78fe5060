"""Importing a list of units from CSV: every line checked first, then all or nothing.

Columns: ``code``, ``name``, ``kind`` (``province``, ``department``, ``district``, ``commune``,
``division`` or their Vietnamese labels; ``agency``, the older name of ``department``, and the
older labels are still read),
optional ``parent_code`` (a unit already stored or earlier in the file) and ``field_codes``
(separated by spaces, commas or semicolons). UTF-8 with or without BOM, comma or semicolon.
"""

from __future__ import annotations

import csv

from sqlalchemy import select

from ...extensions import db
from ...models import Unit, UnitKind, User
from ...models.units import UNIT_KIND_LABELS
from ...support.text import clean_text, fold
from ..audit import audit
from ..submissions.importing import (
    MAX_PROBLEMS,
    ImportProblem,
    ImportRejected,
    csv_rows,
    decode_csv,
)
from .unit_admin import UnitData, code_problem, create_unit, parse_field_codes

REQUIRED = ("code", "name", "kind")
OPTIONAL = ("parent_code", "field_codes")
KINDS = {kind.value: kind for kind in UnitKind}
KINDS.update({fold(UNIT_KIND_LABELS[kind]): kind for kind in UnitKind})
#: Names read before the unit tree (migration 0010).
KINDS.update({"agency": UnitKind.DEPARTMENT, fold("Cơ quan chuyên môn"): UnitKind.DEPARTMENT,
              fold("UBND xã, thị trấn"): UnitKind.COMMUNE, fold("Huyện"): UnitKind.DISTRICT})


class UnitImportRejected(ImportRejected):
    """Nothing was imported; ``problems`` lists every reason by line."""

    def __init__(self, problems: list[ImportProblem]):
        super().__init__(problems)
        self.args = (f"Tệp bị từ chối, không đơn vị nào được nhập ({len(problems)} lỗi).",)


def import_units(data: bytes, *, source: str, actor: User | None) -> int:
    """Check the whole file, then add every unit (caller commits); returns how many."""
    rows = _parse(decode_csv(data, UnitImportRejected))
    codes: dict[str, Unit] = {}
    for row, parent_code in rows:
        if parent_code:
            parent = codes.get(parent_code) or db.session.scalar(
                select(Unit).where(Unit.code == parent_code))
            row.parent_id = parent.id if parent else None
        codes[row.code] = create_unit(row, actor=actor)
    audit.record("unit.import", user=actor, object_type="unit",
                 after={"file": source, "units": len(rows)})
    return len(rows)


def _parse(text: str) -> list[tuple[UnitData, str]]:
    reader = csv_rows(text)
    problems: list[ImportProblem] = []
    rows: list[tuple[UnitData, str]] = []
    try:
        header = [clean_text(name).lower() for name in next(reader, None) or []]
        if not header:
            raise UnitImportRejected([ImportProblem(1, None, "tệp trống.")])
        for name in header:
            if name not in REQUIRED + OPTIONAL:
                problems.append(ImportProblem(1, name or "(trống)", "cột không được hỗ trợ."))
        for name in REQUIRED:
            if name not in header:
                problems.append(ImportProblem(1, name, "thiếu cột bắt buộc."))
        if problems:
            raise UnitImportRejected(problems)
        existing = set(db.session.scalars(select(Unit.code)))
        seen: dict[str, int] = {}
        line = reader.line_num + 1
        for record in reader:
            if any(cell.strip() for cell in record):
                row = _row(line, header, record, existing, seen, problems)
                if row is not None:
                    rows.append(row)
            line = reader.line_num + 1
            if len(problems) >= MAX_PROBLEMS:
                break
    except csv.Error as exc:
        problems.append(ImportProblem(reader.line_num or 1, None,
                                      f"không đọc được dòng này ({exc})."))
    if not rows and not problems:
        problems.append(ImportProblem(None, None, "tệp không có đơn vị nào."))
    if problems:
        raise UnitImportRejected(problems)
    return rows


def _row(line: int, header: list[str], record: list[str], existing: set[str],
         seen: dict[str, int], problems: list[ImportProblem]) -> tuple[UnitData, str] | None:
    if len(record) != len(header):
        problems.append(ImportProblem(line, None, f"có {len(record)} ô nhưng tiêu đề có "
                                                  f"{len(header)} cột."))
        return None
    cells = {name: clean_text(value) for name, value in zip(header, record, strict=True)}
    before = len(problems)
    code = cells["code"].lower()
    problem = code_problem(code)
    if problem:
        problems.append(ImportProblem(line, "code", problem))
    elif code in existing:
        problems.append(ImportProblem(line, "code", f"mã “{code}” đã có trong hệ thống."))
    elif code in seen:
        problems.append(ImportProblem(line, "code", f"mã “{code}” trùng với dòng {seen[code]}."))
    if not cells["name"]:
        problems.append(ImportProblem(line, "name", "thiếu tên đơn vị."))
    elif len(cells["name"]) > 200:
        problems.append(ImportProblem(line, "name", "tên dài quá 200 ký tự."))
    kind = KINDS.get(fold(cells["kind"]))
    if kind is None:
        problems.append(ImportProblem(line, "kind", f"loại “{cells['kind']}” không hợp lệ "
                                                    "(agency hoặc commune)."))
    parent_code = cells.get("parent_code", "").lower()
    if parent_code and parent_code not in existing and parent_code not in seen:
        problems.append(ImportProblem(line, "parent_code", f"đơn vị cấp trên “{parent_code}” "
                                      "không có trong hệ thống hay ở các dòng trước."))
    field_codes, field_problem = parse_field_codes(cells.get("field_codes", ""))
    if field_problem:
        problems.append(ImportProblem(line, "field_codes", field_problem))
    if code and code not in seen:
        seen[code] = line
    if len(problems) > before or kind is None:
        return None
    return UnitData(code=code, name=cells["name"], kind=kind, field_codes=field_codes), parent_code
