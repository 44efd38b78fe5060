"""SVG charts: bars with interval whiskers, escaped labels, nothing executable."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from survey_app.domain.results.charts import (
    LABEL_WIDTH,
    VALUE_WIDTH,
    WIDTH,
    ChartRow,
    interval_chart,
)

SVG = "{http://www.w3.org/2000/svg}"


def test_bars_whiskers_and_labels():
    svg = interval_chart([ChartRow("Phòng Tư pháp", 83.945, 80.0, 87.5),
                          ChartRow("<script>alert(1)</script>", 50.0, 40.0, 60.0),
                          ChartRow("Xã chưa có phiếu", None)], "Chỉ số <chung> & KTC")
    root = ET.fromstring(str(svg))  # noqa: S314 — our own output; also checks well-formedness
    assert root.find(f"{SVG}title").text == "Chỉ số <chung> & KTC"
    texts = [node.text for node in root.iter(f"{SVG}text")]
    assert "Phòng Tư pháp" in texts and "83,95" in texts  # half-up, decimal comma
    assert "<script>alert(1)</script>" in texts  # shown as text …
    assert root.find(f".//{SVG}script") is None  # … never as an element
    assert "<script>" not in str(svg)
    assert "— (chưa có dữ liệu)" in texts
    bars = list(root.iter(f"{SVG}rect"))
    assert len(bars) == 2  # no bar for the unit without data
    # whisker of the first row: a horizontal line from 80% to 87.5% plus two end caps
    lines = [line.attrib for line in root.iter(f"{SVG}line")]
    horizontal = [a for a in lines if a["y1"] == a["y2"]]
    assert len(horizontal) == 2
    first = horizontal[0]
    width = float(first["x2"]) - float(first["x1"])
    assert width == pytest.approx((87.5 - 80.0) / 100 * (WIDTH - LABEL_WIDTH - VALUE_WIDTH),
                                  abs=0.02)
    assert "style=" not in str(svg)  # the CSP forbids inline styles


def test_bounds_are_clamped_to_the_axis():
    svg = interval_chart([ChartRow("A", 100.0, 96.0, 100.0)], "t")
    root = ET.fromstring(str(svg))  # noqa: S314 — our own output
    xs = [float(a.attrib[k]) for a in root.iter(f"{SVG}line") for k in ("x1", "x2")]
    assert max(xs) <= WIDTH - VALUE_WIDTH


def test_a_long_unit_name_is_shown_whole():
    name = "Trung tâm phục vụ hành chính công xã Canh Hiển, tỉnh Gia Lai"
    root = ET.fromstring(str(interval_chart([ChartRow(name, 80.0, 75.0, 85.0)], "t")))  # noqa: S314
    assert name in [node.text for node in root.iter(f"{SVG}text")]
