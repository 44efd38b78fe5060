"""The results as CSV: UTF-8 with a BOM so Excel opens the Vietnamese text correctly.

One row per unit, then the district, then (with a cut) one row per group and unit. Numbers
are written unrounded with a decimal point (machine-readable; the XLSX carries the display
format). Every text cell, headers included, is neutralised against formula injection.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import IO, Any

from .. import cuts
from . import tables as t
from .safety import neutralise

BOM = "\ufeff"


def _number(value: Any) -> str:
    result = t.number(value)
    if result is None:
        return ""
    return str(int(result)) if result.is_integer() and abs(result) < 1e15 else repr(result)


def _row(results: Mapping[str, Any], unit: Mapping[str, Any], group: str, name: Any,
         is_district: bool, elements: list[str], criteria: list[str], ranking: str = ""
         ) -> list[str]:
    overall = t.stat(unit, "overall")
    own = {} if is_district else unit
    rate = t.number(own.get("response_rate"))
    row = [group, unit.get("unit_code") or "", name or "", ranking, _number(own.get("rank")),
           _number(overall.get("index")), _number(overall.get("ci_low")),
           _number(overall.get("ci_high")),
           _number(unit.get("n_valid")), _number(unit.get("n_excluded")),
           _number(unit.get("n_responses")), _number(own.get("sample_required")),
           "" if is_district else t.sample_label(unit), _number(own.get("n_dossiers")),
           _number(None if rate is None else 100 * rate), _number(own.get("points")),
           _number(own.get("points_ci_low")), _number(own.get("points_ci_high")),
           "" if is_district else t.comparison_label(unit),
           _number(overall.get("elements_used")), _number(overall.get("elements_total")),
           _number((unit.get("validity") or {}).get("index_with_invalid")),
           t.unit_notes(results, unit)]
    for code in elements:
        stat = t.stat(unit, "elements", code)
        row += [_number(stat.get(key)) for key in ("index", "ci_low", "ci_high")]
    for code in criteria:
        stat = t.stat(unit, "criteria", code)
        row += [_number(stat.get(key)) for key in ("index", "ci_low", "ci_high", "n")]
    return row


def header(results: Mapping[str, Any]) -> list[str]:
    """Column names in Vietnamese, with the element and criterion codes."""
    by = results.get("by") if isinstance(results.get("by"), Mapping) else {}
    dimension = str(by.get("dimension") or "")
    names = [cuts.heading(dimension), "Mã đơn vị", "Tên đơn vị",
             "Nhóm xếp hạng", "Hạng", "Chỉ số chung (%)", "Cận dưới KTC 95% (%)",
             "Cận trên KTC 95% (%)", "Số phiếu hợp lệ", "Số phiếu không tính",
             "Tổng số phiếu", "Cỡ mẫu yêu cầu", "Tình trạng mẫu", "Số hồ sơ N",
             "Tỷ lệ phản hồi (%)", "Điểm CCHC", "Điểm CCHC cận dưới", "Điểm CCHC cận trên",
             t.compare_heading(results), "Số yếu tố có số liệu", "Tổng số yếu tố",
             "Chỉ số chung khi tính cả phiếu không hợp lệ (%)", "Ghi chú"]
    for code in t.element_codes(results):
        names += [f"Yếu tố {code} (%)", f"Yếu tố {code} cận dưới", f"Yếu tố {code} cận trên"]
    for code in t.criterion_codes(results):
        names += [f"Tiêu chí {code} (%)", f"Tiêu chí {code} cận dưới",
                  f"Tiêu chí {code} cận trên", f"Tiêu chí {code} n"]
    return names


def write_csv(results: Mapping[str, Any], stream: IO[bytes]) -> None:
    """Write ``results`` as UTF-8 CSV with a BOM to the binary ``stream``."""
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
    try:
        text.write(BOM)
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([neutralise(name) for name in header(results)])
        elements, criteria = t.element_codes(results), t.criterion_codes(results)

        def emit(unit: Mapping[str, Any], group: str, name: Any, is_district: bool,
                 ranking: str = "") -> None:
            row = _row(results, unit, group, name, is_district, elements, criteria, ranking)
            writer.writerow([neutralise(value) for value in row])

        for heading, units in t.ranking_sections(results.get("units") or []):
            for unit in units:
                emit(unit, "", unit.get("unit_name"), False, heading or "Xếp hạng")
        if isinstance(results.get("district"), Mapping):
            emit(results["district"], "", t.district_name(results), True)
        by = results.get("by") if isinstance(results.get("by"), Mapping) else {}
        for group in by.get("groups") or []:
            label = t.group_label(results, group)
            for unit in t.ranked_units(group.get("units") or []):
                emit(unit, label, unit.get("unit_name"), False)
            if isinstance(group.get("district"), Mapping):
                emit(group["district"], label, t.district_name(results), True)
    finally:
        text.detach()
