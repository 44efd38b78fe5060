"""A unit's staff journey in a real browser, from the admin creating the account to results.

The admin creates a unit staff account; that person prints a poster and a batch of sheets,
types one sheet by keyboard and sees progress move; responses imported with the CLI give the
results, whose XLSX must carry the numbers of ``flask compute-index``.
"""

from __future__ import annotations

import io
import json
import math
import random
from datetime import timedelta
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Campaign, Response, Sheet, SheetBatch, Unit
from survey_app.support.dates import today_local
from tests.browser.axe_checks import serious_violations
from tests.browser.staff_support import (
    change_password,
    create_unit_staff,
    flask_cli,
    log_in,
    log_out,
    paper_count,
    type_sheet,
)
from tests.staff.staff_support import page_count, pdf_texts
from tests.test_import import HEADER, csv_bytes, row

UNIT = "Xã Canh Vinh"
ADMIN_PASSWORD = "mat-khau-quan-tri-2026"
STAFF_PASSWORD = "mat-khau-canh-hien-2026"
IMPORTED_UNITS = ("gl-xa-canh-vinh", "gl-xa-canh-lien", "gl-xa-tay-son",
                  "gl-xa-van-canh-ttphcc")  # Vân Canh takes part through its divisions
PER_UNIT = 9


def _download(page, link) -> bytes:
    """Click a download link; the body of the file the browser saved."""
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.failure() is None
    with open(download.path(), "rb") as stream:
        return stream.read()


def _admin_creates_unit_staff(page, live) -> str:
    """Step 1: the demo admin's first login, then a unit staff account through the admin UI."""
    log_in(page, live.url, "khong-co-ai", "mat-khau-sai-2026")
    assert page.get_by_role("alert").is_visible()
    assert serious_violations(page) == []  # the login page with its error shown
    first = live.app.config["DEMO_ADMIN_PASSWORD"]
    log_in(page, live.url, "admin", first)
    change_password(page, first, ADMIN_PASSWORD)
    password = create_unit_staff(page, live.url, "canbo.hien", "Nguyễn Thị Hiền",
                                 f"{UNIT} (gl-xa-canh-vinh)")
    log_out(page)
    return password


def _poster_and_batch(page, live) -> list[str]:
    """Step 2: the counter's A4 poster and a batch of 20 sheets, both as PDFs; the serials."""
    page.goto(live.url + "/staff/posters")
    row_ = page.locator("tr", has_text=UNIT)
    assert row_.count() == 1  # a unit's staff sees only the counters of their unit
    poster = _download(page, row_.get_by_role("link", name="Áp phích A4 (PDF)"))
    assert poster.startswith(b"%PDF-") and page_count(poster) == 1
    assert UNIT in pdf_texts(poster)[0]

    page.goto(live.url + "/staff/sheets")
    page.get_by_label("Số phiếu cần in (1–2.000)").fill("20")
    with page.expect_navigation():
        page.get_by_role("button", name="Tạo lô phiếu").click()
    assert "Đã tạo lô 20 phiếu." in page.content()
    with live.app.app_context():
        batch = db.session.scalar(select(SheetBatch).order_by(SheetBatch.id.desc()))
        assert batch.sheet_count == 20 and db.session.get(Unit, batch.unit_id).name == UNIT
        batch_id, per_sheet = batch.id, batch.layout["pages_per_sheet"]
        serials = list(db.session.scalars(select(Sheet.serial).where(Sheet.batch_id == batch_id)
                                          .order_by(Sheet.id)))
    assert len(serials) == 20
    body = _download(page, page.get_by_role("link", name=f"Tệp PDF của lô {batch_id}"))
    assert body.startswith(b"%PDF-") and page_count(body) == 20 * per_sheet
    texts = pdf_texts(body)
    printed = [texts[number * per_sheet] for number in range(20)]
    for serial, text in zip(serials, printed, strict=True):
        assert f"Số phiếu: {serial[:4]}-{serial[4:]}" in text
    return serials


def _enter_one_sheet(page, live, serial: str) -> None:
    """Step 3: one sheet typed by keyboard alone; the progress page counts it."""
    assert paper_count(page, live.url, UNIT) == 0
    page.goto(live.url + "/staff/entry")
    type_sheet(page, serial, "4" * 20 + "50", "Cán bộ tận tình")
    assert serious_violations(page) == []  # the entry page with its confirmation shown
    assert paper_count(page, live.url, UNIT) == 1
    assert serious_violations(page) == []  # the progress page, as unit staff


def _import_responses(live, tmp_path) -> None:
    """Step 4a: a few dozen responses of several units through ``flask import-responses``."""
    with live.app.app_context():
        campaign = db.session.scalar(select(Campaign).filter_by(code="demo"))
        start, last = campaign.starts_on, min(today_local(), campaign.deadline)
    rng = random.Random(7)
    rows = []
    for code in IMPORTED_UNITS:
        for n in range(PER_UNIT):
            day = max(start, last - timedelta(days=1 + n))  # within the campaign, in the past
            rows.append(row(unit=code, channel="import", when=f"{day:%d/%m/%Y} 00:{10 + n:02d}",
                            ratings=[rng.choice("2344455") for _ in range(20)] + ["NA", ""]))
    path = tmp_path / "phieu-nhap.csv"
    path.write_bytes(csv_bytes(rows, header=HEADER))
    url = live.app.config["SQLALCHEMY_DATABASE_URI"]
    result = flask_cli(url, "import-responses", "--campaign", "demo", str(path))
    assert f"Đã nhập {len(rows)} phiếu" in result.stdout
    with live.app.app_context():
        assert len(db.session.scalars(select(Response.id)).all()) == len(rows) + 1


def _close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def _sheet_rows(workbook, title: str) -> list[dict[str, Any]]:
    """The rows of a sheet by header; section headings (one cell) are left out."""
    rows = list(workbook[title].iter_rows(values_only=True))
    headings = [values[0] for values in rows[1:] if len(values) == 1]
    assert headings in ([], ["Chưa đủ mẫu — chưa xếp hạng"])
    return [dict(zip(rows[0], values, strict=True)) for values in rows[1:] if len(values) > 1]


def _check_summary(workbook, results: dict) -> None:
    """Per unit (by unit code) and for the district: rank, index, CI, counts, PAR points."""
    rows = {r["Mã đơn vị"]: r for r in _sheet_rows(workbook, "Tổng hợp")}
    entries = {u["unit_code"]: u for u in results["units"]}
    district = results["district"]
    assert set(rows) == {*entries, district["unit_code"]}
    assert len(rows) == len(results["units"]) + 1
    for code, entry in [*entries.items(), (district["unit_code"], district)]:
        sheet_row, overall = rows[code], entry["overall"]
        pairs = {"Chỉ số chung (%)": overall["index"], "Cận dưới KTC 95% (%)": overall["ci_low"],
                 "Cận trên KTC 95% (%)": overall["ci_high"],
                 "Số phiếu hợp lệ": entry["n_valid"], "Số phiếu không tính": entry["n_excluded"],
                 "Tổng số phiếu": entry["n_responses"]}
        if entry is not district:
            assert sheet_row["Tên đơn vị"] == entry["unit_name"]
            pairs |= {"Hạng": entry["rank"], "Điểm CCHC": entry["points"],
                      "Cỡ mẫu yêu cầu": entry["sample_required"]}
        for header, expected in pairs.items():
            assert _close(sheet_row[header], expected), (code, header, sheet_row[header],
                                                         expected)
    for code in IMPORTED_UNITS:  # the imported units have numbers, not blanks
        assert rows[code]["Chỉ số chung (%)"] is not None
    assert rows["gl-xa-canh-vinh"]["Tổng số phiếu"] == PER_UNIT + 1  # with the typed sheet


def _check_criteria(workbook, results: dict) -> None:
    """Per unit and criterion: index, CI, number of valid answers, mean."""
    rows = {(r["Mã đơn vị"], r["Mã tiêu chí"]): r for r in _sheet_rows(workbook, "Tiêu chí")}
    entries = [*results["units"], results["district"]]
    expected = {(e["unit_code"], code): stat for e in entries
                for code, stat in e["criteria"].items()}
    assert set(rows) == set(expected)
    for key, stat in expected.items():
        sheet_row = rows[key]
        for header, name in (("Chỉ số (%)", "index"), ("Cận dưới KTC 95% (%)", "ci_low"),
                             ("Cận trên KTC 95% (%)", "ci_high"),
                             ("Số câu trả lời hợp lệ", "n"), ("Điểm bình quân (1–5)", "mean")):
            assert _close(sheet_row[header], stat[name]), (key, header, sheet_row[header],
                                                           stat[name])


def _shown(text: str) -> float | None:
    """A number as the pages show it (83,94 or 1.234; "—" when undefined)."""
    text = text.strip()
    return None if text == "—" else float(text.replace(".", "").replace(",", "."))


def _check_ranked_table(table, results: dict) -> None:
    """The page's ranked table shows the CLI's rank, index and count for every unit."""
    entries = {u["unit_name"]: u for u in results["units"]}
    rows = table.locator("tbody tr")
    shown = {}
    for number in range(rows.count()):
        cells = [rows.nth(number).locator("td").nth(i).inner_text() for i in (0, 1, 2, 4)]
        shown[cells[1]] = cells
    assert set(shown) == set(entries)
    for name, (rank, _, index, n_valid) in shown.items():
        entry = entries[name]
        assert _shown(rank) == entry["rank"] and _shown(n_valid) == entry["n_valid"], name
        expected = entry["overall"]["index"]
        assert (_shown(index) is None) if expected is None else \
            abs(_shown(index) - expected) <= 0.005 + 1e-9, (name, index, expected)
    imported = [u["unit_name"] for u in results["units"] if u["unit_code"] in IMPORTED_UNITS]
    assert len(imported) == len(IMPORTED_UNITS)
    for name in imported:  # the imported units have an index on the page
        assert _shown(shown[name][2]) is not None
    # ranked units first (from rank 1), then those short of their sample, unranked
    order = [rows.nth(number).locator("td").nth(1).inner_text() for number in range(rows.count())]
    ranks = [entries[name]["rank"] for name in order]
    assert ranks == sorted(ranks, key=lambda rank: (rank is None, rank or 0))
    assert ranks[0] in (1, None)
    if None in ranks:
        assert all(entries[name]["provisional"] for name in order if entries[name]["rank"] is None)


def _results_as_admin(page, live, tmp_path) -> None:
    """Step 4b: the ranked results, a unit's page, the XLSX equal to ``compute-index``."""
    out = tmp_path / "ket-qua.json"
    flask_cli(live.app.config["SQLALCHEMY_DATABASE_URI"], "compute-index", "--campaign", "demo",
              "--format", "json", "--out", str(out))
    results = json.loads(out.read_text(encoding="utf-8"))

    log_in(page, live.url, "admin", ADMIN_PASSWORD)
    page.goto(live.url + "/results/")
    assert serious_violations(page) == []
    ranking = page.locator("section", has=page.get_by_role("heading",
                                                           name="Xếp hạng các đơn vị"))
    table = ranking.locator("table")
    _check_ranked_table(table, results)

    with page.expect_navigation():
        table.get_by_role("link", name=UNIT, exact=True).click()
    assert "/results/unit/gl-xa-canh-vinh" in page.url
    assert UNIT in page.get_by_role("heading", level=1).inner_text()
    assert serious_violations(page) == []

    page.go_back()
    body = _download(page, page.get_by_role("link", name="Bảng tính XLSX (chấm điểm CCHC)"))
    workbook = load_workbook(io.BytesIO(body), read_only=True)
    try:
        _check_summary(workbook, results)
        _check_criteria(workbook, results)
    finally:
        workbook.close()


def test_unit_staff_journey_from_account_to_results(live_server, desktop, tmp_path):
    page = desktop
    password = _admin_creates_unit_staff(page, live_server)
    log_in(page, live_server.url, "canbo.hien", password)
    change_password(page, password, STAFF_PASSWORD)
    serials = _poster_and_batch(page, live_server)
    _enter_one_sheet(page, live_server, serials[0])
    log_out(page)
    _import_responses(live_server, tmp_path)
    _results_as_admin(page, live_server, tmp_path)
