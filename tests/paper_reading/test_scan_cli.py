"""``flask --app wsgi read-scans``: one JSON object per page; with --store, sheets stored."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditEvent, Channel, Response, ScanPage, ScanState
from tests.paper_reading.conftest import FIXTURES


def _lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_read_scans_prints_one_json_object_per_page_and_writes_nothing(runner, scan_desk,
                                                                      tmp_path):
    files = [FIXTURES / "clean-300-A1.jpg", FIXTURES / "erasure-double-C1.jpg",
             FIXTURES / "not-a-sheet.jpg"]
    broken = tmp_path / "ghi-chu.txt"
    broken.write_text("không phải ảnh", encoding="utf-8")
    result = runner.invoke(args=["read-scans", "--campaign", "dot-2026", "--format", "json",
                                 *map(str, files), str(broken)])
    assert result.exit_code == 0, result.output
    pages = _lines(result.output)
    assert [(p["file"], p["page"], p["status"]) for p in pages] == [
        ("clean-300-A1.jpg", 1, "accepted"), ("erasure-double-C1.jpg", 1, "review"),
        ("not-a-sheet.jpg", 1, "rejected"), ("ghi-chu.txt", 0, "rejected")]
    clean, doubtful, foreign, unreadable = pages
    assert clean["serial"] == scan_desk.serials["A"] and clean["reason"] == ""
    assert set(clean) >= {"file", "page", "serial", "status", "reason", "answers", "profile"}
    assert len(clean["answers"]) == 18 and all(
        value in (1, 2, 3, 4, 5, "NA") for value in clean["answers"].values())
    assert doubtful["answers"]["tc3"] is None and doubtful["answers"]["tt2"] is None
    assert "không đọc được mã QR" in foreign["reason"]
    assert "chỉ nhận PDF, JPEG, PNG" in unreadable["reason"]
    assert db.session.scalar(select(func.count(Response.id))) == 0
    assert db.session.scalar(select(func.count(ScanPage.id))) == 0


def test_read_scans_store_keeps_the_web_s_rules(runner, scan_desk):
    files = [str(FIXTURES / name) for name in
             ("clean-300-A1.jpg", "clean-200-A2.jpg", "erasure-double-C1.jpg")]
    args = ["read-scans", "--campaign", "dot-2026", "--format", "json", "--store"]
    refused = runner.invoke(args=[*args, *files])
    assert refused.exit_code != 0 and "--user" in refused.output
    result = runner.invoke(args=[*args, "--user", "canbo-ch", *files])
    assert result.exit_code == 0, result.output
    pages = _lines(result.output)
    assert [p["outcome"] for p in pages] == ["stored", "stored", "review"]
    [response] = db.session.scalars(select(Response)).all()
    assert response.channel is Channel.PAPER and response.entered_by_id == scan_desk.user.id
    assert response.submission_key == scan_desk.serials["A"]
    assert db.session.scalar(select(func.count(AuditEvent.id))
                             .where(AuditEvent.action == "paper_entry.scan")) == 1
    states = sorted(str(p.state) for p in db.session.scalars(select(ScanPage)))
    # A's comment box holds writing: it waits to be typed; C's page 1 waits for review.
    assert states == [ScanState.COMMENT, ScanState.REVIEW]
    again = runner.invoke(args=[*args, "--user", "canbo-ch", *files])
    assert [p["outcome"] for p in _lines(again.output)] == ["already", "already", "duplicate"]
    assert db.session.scalar(select(func.count(Response.id))) == 1
