"""Reading the result JSON (docs/results-json.md) into the rows and words every export shows.

The writers and the results pages take the computed dict, never the database; this module
is the one place that knows its shape, so a missing key shows "—" rather than failing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from ....support.formatting import MISSING, datetime_text, format_number, zone_name
from ..result_settings import method_sentence, weighting_sentence

#: Heading of the units listed after the ranking (METHODOLOGY §6).
PROVISIONAL_HEADING = "Chưa đủ mẫu — chưa xếp hạng"

EXCLUDED_LABELS = {
    "invalid": "Phiếu không hợp lệ (trả lời dưới ngưỡng số câu)",
    "flagged": "Phiếu bị gắn cờ nghi vấn, chưa được cán bộ xác nhận",
    "rejected": "Phiếu nghi vấn bị cán bộ loại sau khi xem xét",
    "excluded": "Phiếu bị loại",
    "total": "Tổng số phiếu không tính",
}

#: Definitions in words (METHODOLOGY §3–§6) for the "Phương pháp" sheet and the PDF.
DEFINITIONS = (
    ("Chỉ số tiêu chí", "Tỷ lệ phần trăm câu trả lời \"Hài lòng\" hoặc \"Rất hài lòng\" trên "
     "tổng số câu trả lời hợp lệ (1–5) của tiêu chí; \"Không áp dụng\" và câu bỏ trống không "
     "tính vào mẫu số. Không có câu trả lời hợp lệ thì để trống (—), không ghi 0."),
    ("Chỉ số yếu tố", "Trung bình chỉ số của các tiêu chí thuộc yếu tố có số liệu."),
    ("Chỉ số chung", "Theo phương pháp của đợt khảo sát: trung bình các yếu tố, tỷ lệ hài "
     "lòng gộp trên mọi câu trả lời hợp lệ, hoặc trung bình các tiêu chí. Khi có yếu tố "
     "không có số liệu, báo cáo ghi rõ chỉ số được tính từ bao nhiêu yếu tố."),
    ("Khoảng tin cậy 95%", "Tiêu chí: khoảng Jeffreys. Yếu tố và chỉ số chung: tính theo "
     "từng người trả lời (tuyến tính hóa), vì các câu của cùng một người có tương quan; "
     "khoảng tính trên thang logit với bậc tự do hiệu dụng, nên không bao giờ bằng 0 khi "
     "mọi người đều hài lòng."),
    ("So với toàn huyện", "Kiểm định hai phía (hiệu chỉnh Holm, mức 5%), phương sai không "
     "bao giờ lấy bằng 0; đơn vị có ít phiếu hợp lệ hơn ngưỡng của đợt không được so sánh "
     "(\"chưa đủ mẫu để so sánh\")."),
    ("Phiếu hợp lệ", "Phiếu trả lời (1–5) ít nhất một nửa số câu đánh giá (ngưỡng theo đợt). "
     "Phiếu không hợp lệ được giữ và đếm nhưng không tính vào chỉ số."),
    ("Phiếu bị loại", "Phiếu bị gắn cờ nghi vấn (gửi dồn dập bất thường…) mà cán bộ chưa xác "
     "nhận; không tính vào chỉ số, số lượng được báo cáo."),
    ("Cỡ mẫu", "Công thức Yamane n = N / (1 + N·e²), N là số hồ sơ đơn vị giải quyết trong kỳ, "
     "e = 0,05; hoặc chỉ tiêu cố định của đợt. Đơn vị dưới cỡ mẫu ghi \"Chưa đủ mẫu\"."),
    ("Điểm CCHC", "Điểm = điểm tối đa × min(1, chỉ số / ngưỡng) theo tệp quy tắc chấm điểm, "
     "kèm khoảng điểm ứng với khoảng tin cậy của chỉ số; xếp hạng theo điểm (làm tròn 2 chữ "
     "số), bằng điểm thì cùng hạng, chỉ giữa các đơn vị đủ mẫu. Đơn vị chưa đủ mẫu vẫn có "
     "điểm (tạm tính) và được liệt kê sau, mục \"Chưa đủ mẫu — chưa xếp hạng\"."),
    ("Làm tròn", "Tính với độ chính xác đầy đủ, chỉ làm tròn khi hiển thị (2 chữ số, "
     "làm tròn lên từ 5), dấu phẩy thập phân: 83,94."),
)


def number(value: Any) -> float | None:
    """A finite float, or None for null/NaN/text."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def show(value: Any, decimals: int = 2) -> str:
    """Vietnamese display of a number (83,94); "—" when undefined."""
    result = number(value)
    return MISSING if result is None else format_number(result, decimals)


def show_count(value: Any) -> str:
    """A whole number for display (1.234); "—" when undefined."""
    result = number(value)
    return MISSING if result is None else format_number(result, 0)


def method_label(method: Any) -> str:
    """The headline method in words."""
    return method_sentence(method)


def weighting_label(weighting: Any) -> str:
    """How the district figure weighs the units, in words (respondent by default)."""
    return weighting_sentence(weighting or "respondent")


def instrument_label(instrument: Any) -> str:
    """"sipas-2640 v1" from a string or a {code, version, title} mapping."""
    if isinstance(instrument, Mapping):
        code = instrument.get("code", "")
        version = instrument.get("version")
        title = instrument.get("title")
        text = f"{code} v{version}" if version is not None else str(code)
        return f"{text} — {title}" if title else text
    return str(instrument or MISSING)


def campaign_label(results: Mapping[str, Any]) -> str:
    """"Name (code)" of the campaign."""
    campaign = results.get("campaign")
    if isinstance(campaign, Mapping):
        code, name = campaign.get("code", ""), campaign.get("name")
        return f"{name} ({code})" if name else str(code)
    return str(campaign or MISSING)


def computed_at(results: Mapping[str, Any]) -> datetime:
    """When the numbers were computed (naive UTC); a fixed date when unknown."""
    value = results.get("computed_at")
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            moment = datetime(2000, 1, 1)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def moment_text(value: Any) -> str:
    """A stored ISO moment (UTC) as local dd/mm/yyyy HH:MM."""
    return datetime_text(computed_at({"computed_at": value}).replace(tzinfo=UTC))


def computed_text(results: Mapping[str, Any]) -> str:
    """When the numbers were computed, in local time with the zone named."""
    return f"{moment_text(results.get('computed_at'))} ({zone_name()})"


def _label_map(results: Mapping[str, Any], *keys: str) -> Mapping[str, Any]:
    labels = results.get("labels") or {}
    for key in keys:
        found = labels.get(key) if isinstance(labels, Mapping) else None
        if isinstance(found, Mapping):
            return found
    return {}


def _text(entry: Any, code: str) -> str:
    if isinstance(entry, Mapping):
        return str(entry.get("title") or entry.get("text") or entry.get("label") or code)
    return str(entry) if entry else code


def element_title(results: Mapping[str, Any], code: str) -> str:
    """An element's title from ``labels``, else its code."""
    return _text(_label_map(results, "elements").get(code), code)


def criterion_text(results: Mapping[str, Any], code: str) -> str:
    """A criterion's wording from ``labels``, else its code."""
    return _text(_label_map(results, "criteria", "items").get(code), code)


def group_label(results: Mapping[str, Any], group: Mapping[str, Any]) -> str:
    """What a group of a cut is called ("Đất đai"); "—" for an unnamed one."""
    label = group.get("label")
    return str(label) if label else (MISSING if group.get("key") is None else str(group["key"]))


def _ordered(codes: Iterable[str], order: Iterable[str]) -> list[str]:
    seen = list(dict.fromkeys(codes))
    preferred = [code for code in order if code in seen]
    return preferred + [code for code in seen if code not in preferred]


def element_codes(results: Mapping[str, Any]) -> list[str]:
    """Element codes in questionnaire order (labels first, then as found)."""
    found = [code for row in all_rows(results) for code in (row.get("elements") or {})]
    return _ordered(found, _label_map(results, "elements"))


def criterion_codes(results: Mapping[str, Any]) -> list[str]:
    """Criterion codes in questionnaire order (labels first, then as found)."""
    found = [code for row in all_rows(results) for code in (row.get("criteria") or {})]
    return _ordered(found, _label_map(results, "criteria", "items"))


def element_of(results: Mapping[str, Any]) -> dict[str, str]:
    """Criterion → element, from ``labels.element_items``, else from the code's letters."""
    labels = results.get("labels") if isinstance(results.get("labels"), Mapping) else {}
    mapping = {item: str(element)
               for element, items in (labels.get("element_items") or {}).items()
               for item in items or []}
    elements = set(element_codes(results))
    for code in criterion_codes(results):
        prefix = code.rstrip("0123456789")
        mapping.setdefault(code, prefix if prefix in elements else "")
    return mapping


def all_rows(results: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Every unit entry and the district entry."""
    rows = list(results.get("units") or [])
    if isinstance(results.get("district"), Mapping):
        rows.append(results["district"])
    return rows


def _rank_key(unit: Mapping[str, Any]) -> tuple:
    rank, points = number(unit.get("rank")), number(unit.get("points"))
    return (rank is None, rank or 0, points is None, -(points or 0.0),
            str(unit.get("unit_name") or ""), str(unit.get("unit_code")))


def ranked_units(units: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Units by rank; then the units without a rank, by points (highest first), then name."""
    return sorted(units, key=_rank_key)


def ranking_sections(units: Iterable[Mapping[str, Any]]
                     ) -> list[tuple[str | None, list[Mapping[str, Any]]]]:
    """(heading, units): the ranked units, then "Chưa đủ mẫu — chưa xếp hạng" (§6).

    A section without units is left out; the ranked section has no heading of its own.
    """
    ordered = ranked_units(units)
    ranked = [unit for unit in ordered if number(unit.get("rank")) is not None]
    others = [unit for unit in ordered if number(unit.get("rank")) is None]
    return [(heading, rows) for heading, rows in ((None, ranked),
                                                  (PROVISIONAL_HEADING, others)) if rows]


def sample_label(unit: Mapping[str, Any]) -> str:
    """"Đủ mẫu" / "Chưa đủ mẫu" / "Chưa xác định" / a data problem (METHODOLOGY §5)."""
    if unit.get("sample_problem"):
        return f"Số liệu hồ sơ không hợp lý: {unit['sample_problem']}"
    ok = unit.get("sample_ok")
    if ok is None:
        return "Chưa xác định"
    return "Đủ mẫu" if ok else "Chưa đủ mẫu"


def comparison_label(unit: Mapping[str, Any]) -> str:
    """Whether the unit differs from the district beyond chance (Holm, METHODOLOGY §4)."""
    flag = unit.get("differs_from_district")
    if not isinstance(flag, Mapping):
        return MISSING
    if flag.get("eligible") is False:
        return "Chưa đủ mẫu để so sánh"
    if not flag.get("differs"):
        return "Không khác biệt"
    return {"above": "Cao hơn", "below": "Thấp hơn"}.get(str(flag.get("direction")), "Khác biệt")


def points_text(unit: Mapping[str, Any]) -> str:
    """PAR points with the range its index's interval implies: "25,18 (23,40–26,71)"."""
    points = number(unit.get("points"))
    if points is None:
        return MISSING
    low, high = number(unit.get("points_ci_low")), number(unit.get("points_ci_high"))
    text = show(points)
    if low is not None and high is not None:
        text += f" ({show(low)}–{show(high)})"
    return text + (" (tạm tính)" if unit.get("provisional") else "")


def response_rate_text(unit: Mapping[str, Any]) -> str:
    """n / N in percent, "—" without a dossier count."""
    rate = number(unit.get("response_rate"))
    return MISSING if rate is None else f"{show(100 * rate)}%"


def elements_note(results: Mapping[str, Any], unit: Mapping[str, Any]) -> str:
    """"Tính từ 4/5 yếu tố (thiếu: …)" when the headline lacks elements; "" otherwise."""
    overall = stat(unit, "overall")
    used, total = number(overall.get("elements_used")), number(overall.get("elements_total"))
    if used is None or total is None or used >= total or number(overall.get("index")) is None:
        return ""
    missing = [element_title(results, code) for code in element_codes(results)
               if number(stat(unit, "elements", code).get("index")) is None]
    text = f"Chỉ số chung tính từ {int(used)}/{int(total)} yếu tố"
    return f"{text} (không có số liệu: {', '.join(missing)})" if missing else text


def validity_text(unit: Mapping[str, Any]) -> str:
    """The headline counting invalid responses too, when there were any (§3)."""
    validity = unit.get("validity")
    if not isinstance(validity, Mapping) or not number(validity.get("n_invalid")):
        return ""
    index = number(validity.get("index_with_invalid"))
    if index is None:
        return ""
    return (f"Nếu tính cả {show_count(validity.get('n_invalid'))} phiếu không hợp lệ: "
            f"{show(index)}% ({show_signed(validity.get('difference'))} điểm)")


def show_signed(value: Any) -> str:
    """A difference with its sign: "+1,25" / "−0,40"; "—" when undefined."""
    result = number(value)
    if result is None:
        return MISSING
    text = format_number(abs(result))
    return f"+{text}" if result > 0 else (f"−{text}" if result < 0 else text)


def mapping_note(unit: Mapping[str, Any]) -> str:
    """How the unit was matched with the previous campaign across mergers, or why it could
    not be ("So sánh với tổng của Xã A, Xã B cũ."); "" for a unit compared with itself."""
    mapping = unit.get("previous_mapping")
    return str(mapping.get("note") or "") if isinstance(mapping, Mapping) else ""


def change_text(unit: Mapping[str, Any]) -> str:
    """The change against the previous campaign with its interval, then how it was mapped."""
    change = unit.get("change")
    note = mapping_note(unit)
    if not isinstance(change, Mapping) or number(change.get("change")) is None:
        return note or MISSING
    text = (f"{show_signed(change.get('change'))} điểm (KTC 95%: "
            f"{show_signed(change.get('ci_low'))} đến {show_signed(change.get('ci_high'))}; "
            f"đợt trước {show(change.get('index_previous'))}%)")
    return f"{text}. {note}" if note else text


def unit_notes(results: Mapping[str, Any], unit: Mapping[str, Any], mapping: bool = True
               ) -> str:
    """Everything a reader must know about one unit's numbers, in one line (``mapping``:
    with how it was matched with the previous campaign, unless the page shows it apart)."""
    notes = [note for note in (elements_note(results, unit), validity_text(unit),
                               str(unit.get("note") or ""),
                               mapping_note(unit) if mapping else "") if note]
    return "; ".join(notes)


def previous_line(results: Mapping[str, Any]) -> tuple[str, str] | None:
    """How the previous campaign was compared, or why it was not (METHODOLOGY §4)."""
    previous = results.get("previous")
    if not isinstance(previous, Mapping):
        return None
    if previous.get("comparable"):
        return ("So sánh với đợt trước", f"Đợt {previous.get('campaign')}, tính lại theo cùng "
                f"phương pháp: {method_label(previous.get('method'))}")
    return ("So sánh với đợt trước", str(previous.get("reason") or "Không so sánh được."))


def setting_lines(results: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Method, weighting, comparison rule and the previous campaign, for every report."""
    lines = [("Phương pháp tính chỉ số chung", method_label(results.get("method"))),
             (f"Trọng số khi tổng hợp toàn {level_word(results)}",
              weighting_label(results.get("weighting")))]
    minimum = number(results.get("min_compare_responses"))
    if minimum is not None:
        lines.append((f"So sánh với toàn {level_word(results)}", f"chỉ với đơn vị có ít nhất "
                      f"{show_count(minimum)} phiếu hợp lệ"))
    previous = previous_line(results)
    if previous:
        lines.append(previous)
    return lines


def level_word(results: Mapping[str, Any]) -> str:
    """The organiser's level ("tỉnh", "xã", "phường"; "huyện" for a historical district and
    for results without an ``organiser``, computed before it was recorded)."""
    organiser = results.get("organiser")
    word = organiser.get("level") if isinstance(organiser, Mapping) else None
    return str(word or "huyện")


def district_name(results: Mapping[str, Any]) -> str:
    """The total's name after the organiser's level: "Toàn tỉnh", "Toàn xã", "Toàn huyện"."""
    organiser = results.get("organiser")
    if isinstance(organiser, Mapping) and organiser.get("total_name"):
        return str(organiser["total_name"])
    district = results.get("district") or {}
    return str(district.get("unit_name") or "Toàn huyện")


def compare_heading(results: Mapping[str, Any]) -> str:
    """"So với toàn tỉnh": the heading of the comparison with the total."""
    return f"So với toàn {level_word(results)}"


def definitions(results: Mapping[str, Any]) -> list[tuple[str, str]]:
    """DEFINITIONS with the total named after the organiser's level."""
    word = level_word(results)
    return [(what.replace("toàn huyện", f"toàn {word}"), text.replace("toàn huyện",
                                                                       f"toàn {word}"))
            for what, text in DEFINITIONS]


def stat(row: Mapping[str, Any], part: str, code: str | None = None) -> Mapping[str, Any]:
    """``row["overall"]``, or ``row[part][code]``; an empty mapping when absent."""
    value = row.get(part) or {}
    if code is not None:
        value = value.get(code) if isinstance(value, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def approval_lines(results: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Who approved the results and when, for an approved snapshot; empty otherwise."""
    approval = results.get("approval")
    if not isinstance(approval, Mapping):
        return []
    when = approval.get("approved_at")
    try:
        when = f"{moment_text(when)} ({zone_name()})"
    except (TypeError, ValueError):
        when = str(when)
    who = approval.get("approved_by_name") or approval.get("approved_by") or MISSING
    return [("Phê duyệt", f"Phiên bản {approval.get('version', MISSING)}, {who}, {when}"),
            ("Dấu vân tay tập phiếu (SHA-256)", str(approval.get("response_fingerprint") or
                                                    MISSING)),
            ("Số phiếu được tính", show_count(approval.get("n_counted")))]


def excluded_lines(results: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(what, how many or why) lines describing the responses left out."""
    excluded = results.get("excluded")
    lines: list[tuple[str, str]] = []
    if isinstance(excluded, Mapping):
        for key, value in excluded.items():
            label = EXCLUDED_LABELS.get(str(key), str(key))
            if isinstance(value, Mapping):
                for reason, count in value.items():
                    lines.append((f"{label}: {reason}", _count_or_text(count)))
            elif isinstance(value, list):
                lines.append((label, "; ".join(str(v) for v in value) or MISSING))
            else:
                lines.append((label, _count_or_text(value)))
    elif isinstance(excluded, list):
        lines.extend((str(item.get("reason", item)) if isinstance(item, Mapping) else str(item),
                      _count_or_text(item.get("count")) if isinstance(item, Mapping) else "")
                     for item in excluded)
    if not lines:
        total = sum(number(unit.get("n_excluded")) or 0 for unit in results.get("units") or [])
        lines.append((EXCLUDED_LABELS["excluded"], show_count(total)))
    return lines


def _count_or_text(value: Any) -> str:
    return show_count(value) if number(value) is not None else str(value)
