"""A hand-made result dict of the documented shape (docs/results-json.md) for the writers."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

ELEMENTS = {"tc": ("Tiếp cận dịch vụ", 4), "tt": ("Thủ tục hành chính", 5),
            "cc": ("Công chức giải quyết công việc", 6), "kq": ("Kết quả cung ứng dịch vụ", 3),
            "pa": ("Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị", 4)}


def _stat(index: float | None, spread: float = 4.0) -> dict[str, Any]:
    if index is None:
        return {"index": None, "ci_low": None, "ci_high": None}
    return {"index": index, "ci_low": index - spread, "ci_high": min(100.0, index + spread)}


def _unit(code: str, name: str, base: float, n_valid: int, rank: int | None,
          points: float | None, sample_ok: bool | None) -> dict[str, Any]:
    """A unit entry; units short of their sample are provisional, with no rank (§6)."""
    elements, criteria = {}, {}
    for offset, (element, (_, size)) in enumerate(ELEMENTS.items()):
        elements[element] = _stat(base + offset - 2)
        for number in range(1, size + 1):
            item = f"{element}{number}"
            value = None if item == "pa4" and code == "xa-dak-ha" else base + number - 2.5
            criteria[item] = {**_stat(value, 6.0), "n": 0 if value is None else n_valid - number,
                              "mean": None if value is None else 3.5 + number / 10}
    return {"unit_code": code, "unit_name": name, "n_responses": n_valid + 7,
            "n_valid": n_valid, "n_excluded": 7, "sample_required": 172, "sample_ok": sample_ok,
            "provisional": sample_ok is not True,
            "overall": _stat(base, 3.123456), "elements": elements, "criteria": criteria,
            "points": points, "rank": rank,
            "points_ci_low": None if points is None else points - 0.9,
            "points_ci_high": None if points is None else points + 0.9}


def build_results() -> dict[str, Any]:
    units = [
        _unit("xa-dak-ha", "UBND xã Đắk Hà", 79.5, 150, None, 23.85, False),
        _unit("p-tnmt", "Phòng Tài nguyên và Môi trường", 83.94444444444444, 200, 1, 25.18, True),
        _unit("p-tu-phap", "Phòng Tư pháp", 79.5, 173, 2, 23.85, True),
    ]
    district = _unit("", "Toàn huyện", 81.25, 523, None, None, None)
    district["unit_code"] = None
    for key in ("points", "rank", "sample_ok", "sample_required", "provisional",
                "points_ci_low", "points_ci_high"):
        district.pop(key)
    labels = {"elements": {code: title for code, (title, _) in ELEMENTS.items()},
              "criteria": {f"{code}{n}": f"Tiêu chí {n} của {title.lower()}"
                           for code, (title, size) in ELEMENTS.items()
                           for n in range(1, size + 1)},
              "element_items": {code: [f"{code}{n}" for n in range(1, size + 1)]
                                for code, (_, size) in ELEMENTS.items()}}
    return {"campaign": {"code": "2026-huyen", "name": "Khảo sát năm 2026"},
            "method": "mean-of-elements",
            "instrument": {"code": "sipas-2640", "version": 1},
            "computed_at": "2026-11-30T08:15:00+00:00",
            "units": units, "district": district,
            "excluded": {"invalid": 12, "flagged": 9},
            "labels": labels}


def with_by(results: dict[str, Any]) -> dict[str, Any]:
    """``results`` with a cut by field: two groups, the second with one unit."""
    results = copy.deepcopy(results)
    land = [copy.deepcopy(results["units"][1]), copy.deepcopy(results["units"][0])]
    land[1]["overall"] = _stat(61.0)
    results["by"] = {"dimension": "field", "groups": [
        {"key": "dat_dai", "label": "Đất đai", "units": land,
         "district": copy.deepcopy(results["district"])},
        {"key": "ho_tich", "label": "Hộ tịch", "units": [copy.deepcopy(results["units"][2])],
         "district": copy.deepcopy(results["district"])},
    ]}
    return results


@pytest.fixture
def results() -> dict[str, Any]:
    return build_results()


@pytest.fixture
def results_by_field() -> dict[str, Any]:
    return with_by(build_results())


@pytest.fixture
def make_results() -> Callable[..., dict[str, Any]]:
    return build_results


