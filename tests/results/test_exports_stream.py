"""Raw responses stream into the workbook in memory that does not grow with their number."""

from __future__ import annotations

import gc
import io
import tempfile
import tracemalloc

import openpyxl
import pytest

from survey_app.domain.results.exports import raw_responses, write_workbook
from survey_app.domain.results.exports.raw_responses import raw_response_rows


def test_raw_sheet_rows_are_anonymous_and_complete(make_unit, make_campaign, add_responses,
                                                   results):
    unit = make_unit("p-tnmt", "Phòng Tài nguyên và Môi trường")
    other = make_unit("xa-khac", "Xã Khác")
    campaign = make_campaign([unit, other])
    add_responses(campaign, unit, 3, comments=["=cmd|' /C calc'!A0", "Rất tốt", None])
    add_responses(campaign, other, 2)
    stream = io.BytesIO()
    write_workbook(results, stream, raw_rows=raw_response_rows(campaign, unit_ids={unit.id}))
    rows = list(openpyxl.load_workbook(stream)["Dữ liệu thô"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:5] == ("STT", "Mã đơn vị", "Kênh", "Ngày trả lời", "Tình trạng")
    assert header[-1] == "Ý kiến" and "tc1" in header and "pa4" in header
    assert [row[0] for row in rows[1:]] == [1, 2, 3]
    assert {row[1] for row in rows[1:]} == {"p-tnmt"}
    assert rows[1][3] == "02/11/2026"
    assert rows[1][-1] == "'=cmd|' /C calc'!A0"
    values = {value for row in rows[1:] for value in row[10:-1]}
    assert values <= {"NA", 3, 4, 5}
    assert not any(value == "k1" for row in rows for value in row)  # no submission keys


def _peak_bytes(campaign) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        with tempfile.TemporaryFile() as target:
            write_workbook({"units": []}, target, raw_rows=raw_response_rows(campaign))
            peak = tracemalloc.get_traced_memory()[1]
        print(f"peak {peak / 1e6:.2f} MB")  # shown with -s
        return peak
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_raw_sheet_memory_does_not_grow_with_responses(make_unit, make_campaign,
                                                       add_responses, monkeypatch):
    # Batches smaller than the small set, so both runs hold the same batch at a time;
    # 500 vs 2,000 rows because tracemalloc slows openpyxl about eightfold.
    monkeypatch.setattr(raw_responses, "BATCH", 100)
    unit = make_unit()
    small = make_campaign([unit], code="nho")
    large = make_campaign([unit], code="lon")
    comment = "Cán bộ nhiệt tình, hướng dẫn rõ ràng; thời gian chờ hơi lâu."
    comments = [f"{comment} {i}" for i in range(2_000)]  # distinct texts, as in real data
    add_responses(small, unit, 500, comments=comments)
    add_responses(large, unit, 2_000, comments=comments)
    small_peak, large_peak = _peak_bytes(small), _peak_bytes(large)
    assert large_peak < 1.25 * small_peak  # four times the rows, about the same memory
    assert large_peak < 8 * 1024 * 1024
