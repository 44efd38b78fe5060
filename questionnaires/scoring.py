"""PAR-point conversion rules (METHODOLOGY §6) as data, loaded from YAML."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .loader import CODE_PATTERN
from .yamlfile import Located, read_yaml

INDEX_PATTERN = re.compile(r"^(overall|element:[a-z][a-z0-9_-]*)$")


@dataclass(frozen=True)
class ScoringRule:
    """``points = max_points · min(1, index / threshold)`` for one PAR criterion."""

    code: str
    label: str
    index: str  # "overall" or "element:<code>"
    max_points: float
    threshold: float


@dataclass(frozen=True)
class ScoringRules:
    """A scoring file: a title, a note on where the values come from, the rules."""

    title: str
    note: str
    rules: tuple[ScoringRule, ...]


def load_scoring_rules(path: str | Path) -> ScoringRules:
    """Read and validate a scoring-rule file."""
    return build_scoring_rules(read_yaml(path))


def build_scoring_rules(located: Located) -> ScoringRules:
    """Validate parsed scoring data; errors name the file, the place and the problem."""
    data = located.data
    if not isinstance(data, dict):
        raise located.error("", "tệp phải là một bảng khóa–giá trị (mapping)")
    unknown = sorted(set(data) - {"title", "note", "rules"})
    if unknown:
        raise located.error(unknown[0], f"khóa không được hỗ trợ: {', '.join(unknown)}")
    for key in ("title", "note"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise located.error(key, f"thiếu '{key}' (chuỗi không rỗng)")
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise located.error("rules", "cần ít nhất một quy tắc")
    rules = []
    codes: set[str] = set()
    for position, entry in enumerate(raw_rules, start=1):
        rules.append(_rule(located, entry, f"rules[{position}]", codes))
    return ScoringRules(title=data["title"].strip(), note=data["note"].strip(), rules=tuple(rules))


def _rule(located: Located, entry: object, place: str, codes: set[str]) -> ScoringRule:
    if not isinstance(entry, dict):
        raise located.error(place, "mỗi quy tắc phải là một bảng khóa–giá trị")
    unknown = sorted(set(entry) - {"code", "label", "index", "max_points", "threshold"})
    if unknown:
        raise located.error(f"{place}.{unknown[0]}", f"khóa không được hỗ trợ: {unknown[0]}")
    code = entry.get("code")
    if not isinstance(code, str) or not CODE_PATTERN.match(code):
        raise located.error(f"{place}.code", f"mã quy tắc {code!r} không hợp lệ")
    if code in codes:
        raise located.error(f"{place}.code", f"mã quy tắc '{code}' bị trùng")
    codes.add(code)
    label = entry.get("label")
    if not isinstance(label, str) or not label.strip():
        raise located.error(f"{place}.label", "thiếu 'label'")
    index = entry.get("index")
    if not isinstance(index, str) or not INDEX_PATTERN.match(index):
        raise located.error(f"{place}.index", "index phải là 'overall' hoặc 'element:<mã>'")
    max_points = _number(entry.get("max_points"))
    if max_points is None or max_points <= 0:
        raise located.error(f"{place}.max_points", "max_points phải là số dương")
    threshold = _number(entry.get("threshold"))
    if threshold is None or not 0 < threshold <= 1:
        raise located.error(f"{place}.threshold", "threshold phải lớn hơn 0 và không quá 1")
    return ScoringRule(code=code, label=label.strip(), index=index, max_points=max_points,
                       threshold=threshold)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)
