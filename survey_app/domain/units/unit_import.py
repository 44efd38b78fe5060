"""Importing a list of units from CSV: every line checked first, then all or nothing.

Columns: ``code``, ``name``, ``kind`` (``province``, ``department``, ``district``, ``commune``,
``division`` or their Vietnamese labels; ``agency``, the older name of ``department``, and the
older labels are still read),
optional ``parent_code`` (a unit already stored or earlier in the file) and ``field_codes``
(separated by spaces, commas or semicolons). UTF-8 with or without BOM, comma or semicolon.

History (docs/unit-history.md), optional: ``valid_from`` / ``valid_to`` (dd/mm/yyyy),
``predecessors`` (codes of the units this one became from, stored or anywhere in the file,
separated by ``;``), ``effective_on`` (the day they became it; ``valid_from`` by default).
A line whose code is already stored must carry the same name and kind (and parent, fields
when given): it only adds dates and links, so importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import Unit, UnitKind, User
from ...models.units import UNIT_KIND_LABELS
from ...support.dates import parse_day
from ...support.formatting import date_text
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
from .unit_history import Predecessor, reaches, record_history, stored_successors

REQUIRED = ("code", "name", "kind")
HISTORY = ("valid_from", "valid_to", "predecessors", "effective_on")
OPTIONAL = ("parent_code", "field_codes", *HISTORY)
DATE_RULE = "ngày “{}” không hợp lệ (dd/mm/yyyy, ví dụ 01/07/2025)."
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


@dataclass
class UnitRow:
    """One checked line: a new unit (``data``) or a stored one (``stored``), and its history."""

    line: int
    data: UnitData
    parent_code: str
    stored: Unit | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    predecessors: list[str] = field(default_factory=list)
    effective_on: date | None = None


@dataclass(frozen=True)
class UnitImportResult:
    """What an import did: units added, stored units whose history changed, links added."""

    created: int
    updated: int
    links: int

    def message(self) -> str:
        if not (self.created or self.updated or self.links):
            return "Tệp đã được nhập trước đây: không có gì thay đổi."
        parts = [f"Đã nhập {self.created} đơn vị mới"]
        if self.updated:
            parts.append(f"cập nhật lịch sử {self.updated} đơn vị đã có")
        if self.links:
            parts.append(f"thêm {self.links} liên kết đơn vị tiền thân")
        return ", ".join(parts) + "."


def import_units(data: bytes, *, source: str, actor: User | None) -> UnitImportResult:
    """Check the whole file, then add every new unit and every unit's history (caller
    commits); a line already imported changes nothing."""
    rows = _parse(decode_csv(data, UnitImportRejected))
    codes: dict[str, Unit] = {}
    created = 0
    for row in rows:
        if row.stored is not None:
            codes[row.data.code] = row.stored
            continue
        if row.parent_code:
            parent = codes.get(row.parent_code) or db.session.scalar(
                select(Unit).where(Unit.code == row.parent_code))
            row.data.parent_id = parent.id if parent else None
        codes[row.data.code] = create_unit(row.data, actor=actor)
        created += 1
    updated = links = 0
    for row in rows:
        predecessors = [Predecessor(codes.get(code) or db.session.scalar(
            select(Unit).where(Unit.code == code)), row.effective_on or row.valid_from)
            for code in row.predecessors]
        changed, added = record_history(codes[row.data.code], valid_from=row.valid_from,
                                        valid_to=row.valid_to, predecessors=predecessors,
                                        actor=actor)
        updated += changed and row.stored is not None
        links += added
    result = UnitImportResult(created, updated, links)
    audit.record("unit.import", user=actor, object_type="unit",
                 after={"file": source, "units": len(rows), "created": created,
                        "updated": updated, "links": links})
    return result


def _parse(text: str) -> list[UnitRow]:
    reader = csv_rows(text)
    problems: list[ImportProblem] = []
    rows: list[UnitRow] = []
    existing: dict[str, Unit] = {}
    seen: dict[str, int] = {}
    #: (line, code, predecessor codes) of every line, checked once all codes are known.
    wanted: list[tuple[int, str, list[str]]] = []
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
        existing = {unit.code: unit for unit in db.session.scalars(
            select(Unit).options(selectinload(Unit.parent)))}
        line = reader.line_num + 1
        for record in reader:
            if any(cell.strip() for cell in record):
                row = _row(line, header, record, existing, seen, problems, wanted)
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
    _check_links(wanted, existing, seen, problems)
    if problems:
        raise UnitImportRejected(problems[:MAX_PROBLEMS])
    return rows


def _row(line: int, header: list[str], record: list[str], existing: dict[str, Unit],
         seen: dict[str, int], problems: list[ImportProblem],
         wanted: list[tuple[int, str, list[str]]]) -> UnitRow | None:
    if len(record) != len(header):
        problems.append(ImportProblem(line, None, f"có {len(record)} ô nhưng tiêu đề có "
                                                  f"{len(header)} cột."))
        return None
    cells = {name: clean_text(value) for name, value in zip(header, record, strict=True)}
    before = len(problems)
    code = cells["code"].lower()
    stored = existing.get(code)
    problem = code_problem(code)
    if problem:
        problems.append(ImportProblem(line, "code", problem))
    elif code in seen:
        problems.append(ImportProblem(line, "code", f"mã “{code}” trùng với dòng {seen[code]}."))
    if not cells["name"]:
        problems.append(ImportProblem(line, "name", "thiếu tên đơn vị."))
    elif len(cells["name"]) > 200:
        problems.append(ImportProblem(line, "name", "tên dài quá 200 ký tự."))
    parent_code = cells.get("parent_code", "").lower()
    field_codes, field_problem = parse_field_codes(cells.get("field_codes", ""))
    if field_problem:
        problems.append(ImportProblem(line, "field_codes", field_problem))
    kind = None
    if stored is not None and code not in seen:
        _same_as_stored(line, stored, cells, parent_code, field_codes, problems)
        kind = stored.kind
    else:
        kind = KINDS.get(fold(cells["kind"]))
        if kind is None:
            problems.append(ImportProblem(line, "kind", f"loại “{cells['kind']}” không hợp lệ "
                                                        "(agency hoặc commune)."))
        if parent_code and parent_code not in existing and parent_code not in seen:
            problems.append(ImportProblem(line, "parent_code", f"đơn vị cấp trên "
                                          f"“{parent_code}” không có trong hệ thống hay ở các "
                                          "dòng trước."))
    history = _history(line, cells, code, stored, problems)
    wanted.append((line, code, [predecessor for predecessor in history["predecessors"]
                                if predecessor != code and not code_problem(predecessor)]))
    if code and code not in seen:
        seen[code] = line
    if len(problems) > before or kind is None:
        return None
    return UnitRow(line=line, data=UnitData(code=code, name=cells["name"], kind=kind,
                                            field_codes=field_codes),
                   parent_code=parent_code, stored=stored, **history)


def _same_as_stored(line: int, stored: Unit, cells: dict[str, str], parent_code: str,
                    field_codes: list[str] | None, problems: list[ImportProblem]) -> None:
    """A stored unit's line may only add history: what it says of the unit must match."""
    code = stored.code
    if cells["name"] and cells["name"] != stored.name:
        problems.append(ImportProblem(line, "code", f"mã “{code}” đã có trong hệ thống với tên "
                                      f"“{stored.name}”, khác tên trong tệp; đổi tên ở trang "
                                      "sửa đơn vị."))
    if fold(cells["kind"]) not in {stored.kind.value, fold(stored.kind.label)}:
        problems.append(ImportProblem(line, "kind", f"đơn vị “{code}” đã có trong hệ thống với "
                                      f"loại “{stored.kind.label}”, khác loại trong tệp."))
    stored_parent = stored.parent.code if stored.parent else ""
    if parent_code and parent_code != stored_parent:
        problems.append(ImportProblem(line, "parent_code", f"đơn vị “{code}” đã có trong hệ "
                                      f"thống, thuộc “{stored_parent or 'không đơn vị nào'}”, "
                                      "khác đơn vị cấp trên trong tệp."))
    if field_codes is not None and field_codes != stored.field_codes:
        problems.append(ImportProblem(line, "field_codes", f"đơn vị “{code}” đã có trong hệ "
                                      "thống với danh sách lĩnh vực khác."))


def _day(line: int, cells: dict[str, str], column: str, problems: list[ImportProblem]
         ) -> date | None:
    raw = cells.get(column, "")
    if not raw:
        return None
    day = parse_day(raw)
    if day is None:
        problems.append(ImportProblem(line, column, DATE_RULE.format(raw)))
    return day


def _history(line: int, cells: dict[str, str], code: str, stored: Unit | None,
             problems: list[ImportProblem]) -> dict:
    """The line's validity dates, predecessors and their date, checked on their own."""
    valid_from = _day(line, cells, "valid_from", problems)
    valid_to = _day(line, cells, "valid_to", problems)
    effective_on = _day(line, cells, "effective_on", problems)
    start = valid_from or (stored.valid_from if stored else None)
    end = valid_to or (stored.valid_to if stored else None)
    if start and end and end < start:
        problems.append(ImportProblem(line, "valid_to" if valid_to else "valid_from",
                                      f"ngày hết hiệu lực {date_text(end)} trước ngày bắt "
                                      f"đầu {date_text(start)}."))
    predecessors = list(dict.fromkeys(
        part for part in re.split(r"[\s,;|]+", cells.get("predecessors", "").lower()) if part))
    for predecessor in predecessors:
        problem = code_problem(predecessor)
        if problem:
            problems.append(ImportProblem(line, "predecessors", f"mã “{predecessor}”: "
                                          f"{problem}"))
        elif predecessor == code:
            problems.append(ImportProblem(line, "predecessors", "đơn vị không thể là đơn vị "
                                          "tiền thân của chính nó."))
    if effective_on and not predecessors:
        problems.append(ImportProblem(line, "effective_on", "có ngày sáp nhập nhưng không có "
                                      "đơn vị tiền thân (cột predecessors)."))
    return {"valid_from": valid_from, "valid_to": valid_to, "predecessors": predecessors,
            "effective_on": effective_on}


def _check_links(wanted: list[tuple[int, str, list[str]]], existing: dict[str, Unit],
                 seen: dict[str, int], problems: list[ImportProblem]) -> None:
    """Every predecessor is a stored unit or a line of the file; no link makes a loop."""
    successors = stored_successors()
    for line, code, predecessors in wanted:
        for predecessor in predecessors:
            if predecessor not in existing and predecessor not in seen:
                problems.append(ImportProblem(line, "predecessors", f"đơn vị tiền thân "
                                              f"“{predecessor}” không có trong hệ thống hay "
                                              "trong tệp."))
            elif reaches(successors, code, predecessor):
                problems.append(ImportProblem(line, "predecessors", f"“{predecessor}” đã là "
                                              f"đơn vị kế tục của “{code}”: liên kết này tạo "
                                              "vòng lặp."))
            else:
                successors.setdefault(predecessor, set()).add(code)
