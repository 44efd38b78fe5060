"""The results progress page in a real browser (issue 12.5): results not in the cache are
computed by a background job behind a progress page that moves its bar and goes on by itself,
to the results page, the file or the approval question; without JavaScript it reloads itself.

Each part a job computes waits at a gate until the test lets it through, so the page is seen
while the job runs and its bar moves when the test says, never by luck of timing (the live
server and its job threads run in this process: ``background._compute_part`` is patched).
"""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from survey_app.domain.results import background, result_cache
from survey_app.extensions import db
from survey_app.models import Campaign, CampaignState
from tests.browser.axe_checks import serious_violations
from tests.browser.staff_support import change_password, log_in

ADMIN_PASSWORD = "mat-khau-quan-tri-2026"
#: The longest a gated part waits, and a page for its job (seconds).
GATE_SECONDS = 30
WAIT_MS = 30_000
RESULTS_HEADING = "Kết quả khảo sát sự hài lòng"
JOB_URL = re.compile(r"/results/\?(.*&)?job=[0-9a-f]{32}$")


@pytest.fixture(scope="module")
def live_server_config() -> dict:
    # Jobs in the background; the request waits only half a second for them.
    return {"RESULTS_IN_BACKGROUND": True, "RESULTS_WAIT_SECONDS": 0.5}


class Gate:
    """Where each part of a job waits until the test lets it through."""

    def __init__(self) -> None:
        self._passes = threading.Semaphore(0)
        self._lock = threading.Lock()
        self.computed = 0

    def let_through(self, parts: int = 1) -> None:
        self._passes.release(parts)

    def step(self, compute_part, campaign, part) -> None:
        if not self._passes.acquire(timeout=GATE_SECONDS):
            raise RuntimeError("the test never let this part through")
        compute_part(campaign, part)
        with self._lock:
            self.computed += 1


@pytest.fixture
def gate(live_server, monkeypatch):
    """Nothing in the cache; every part a job computes waits for ``gate.let_through``."""
    gate = Gate()
    compute_part = background._compute_part
    monkeypatch.setattr(background, "_compute_part",
                        lambda campaign, part: gate.step(compute_part, campaign, part))
    with live_server.app.app_context():
        result_cache.forget()
    yield gate
    # Every job this test started ends before the next test empties the cache.
    gate.let_through(1000)
    for thread in list(background._THREADS.values()):
        thread.join(GATE_SECONDS)


@pytest.fixture(scope="module")
def admin_state(browser, live_server) -> dict:
    """The demo admin signed in once (first login: a new password), as cookies to reuse."""
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    first = live_server.app.config["DEMO_ADMIN_PASSWORD"]
    log_in(page, live_server.url, "admin", first)
    change_password(page, first, ADMIN_PASSWORD)
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def admin(open_page, admin_state):
    return open_page(viewport={"width": 1280, "height": 900}, accept_downloads=True,
                     storage_state=admin_state)


@pytest.fixture
def admin_without_script(open_page, admin_state):
    return open_page(viewport={"width": 1280, "height": 900}, java_script_enabled=False,
                     storage_state=admin_state)


def _bar(page):
    return page.get_by_role("progressbar", name="Tiến độ tính kết quả")


def _expect_progress(page, done: int, total: int) -> None:
    expect(page.get_by_role("status")).to_have_text(
        f"Đang tính kết quả: {done}/{total} phần…", timeout=WAIT_MS)
    expect(_bar(page)).to_have_js_property("value", round(100 * done / total))


def _expect_results_page(page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(RESULTS_HEADING,
                                                              timeout=WAIT_MS)
    ranking = page.get_by_role("table").first
    expect(ranking.get_by_role("columnheader", name="Chỉ số chung (%)")).to_be_visible()
    expect(ranking.locator("tbody tr").first).to_be_visible()


def _open_results(page, live_server, gate) -> None:
    """The results page, its one part let through while the progress page shows."""
    page.goto(live_server.url + "/results/")
    _expect_progress(page, 0, 1)
    gate.let_through()
    page.wait_for_url(JOB_URL, timeout=WAIT_MS)
    _expect_results_page(page)


def test_results_page_shows_progress_then_goes_on_by_itself(live_server, admin, gate):
    page = admin
    page.goto(live_server.url + "/results/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Đang chuẩn bị trang kết quả — Khảo sát sự hài lòng năm 2026"))
    expect(_bar(page)).to_be_visible()
    _expect_progress(page, 0, 1)
    expect(page.get_by_text("Có thể để trang này mở: khi tính xong, trang sẽ tự chuyển "
                            "tiếp.")).to_be_visible()
    # The script asks every second: still running, the page stays.
    page.wait_for_timeout(1500)
    assert "/results/" in page.url and "job=" not in page.url
    assert serious_violations(page) == []
    gate.let_through()
    # No click: the page goes on by itself once the job is done.
    page.wait_for_url(JOB_URL, timeout=WAIT_MS)
    _expect_results_page(page)
    assert gate.computed == 1
    # Now cached: reloading, or the plain address, serves the results directly.
    page.reload()
    _expect_results_page(page)
    page.goto(live_server.url + "/results/")
    _expect_results_page(page)
    assert page.locator("#results-progress").count() == 0
    assert gate.computed == 1  # nothing computed again


def test_uncached_download_shows_progress_then_the_file_comes_by_itself(live_server, admin,
                                                                        gate):
    page = admin
    _open_results(page, live_server, gate)
    with live_server.app.app_context():
        result_cache.forget()  # new responses arrived meanwhile, say: nothing cached
    with page.expect_navigation():
        page.get_by_role("link", name="XLSX kèm trang theo lĩnh vực").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Đang chuẩn bị tệp tải về — "))
    _expect_progress(page, 0, 3)  # the results, the "by field" cut, the level sheets
    gate.let_through()
    _expect_progress(page, 1, 3)  # the bar moves without a reload
    gate.let_through()
    _expect_progress(page, 2, 3)
    with page.expect_download(timeout=WAIT_MS) as info:
        gate.let_through()
    download = info.value
    assert download.failure() is None
    assert re.fullmatch(r"ket-qua-.+-theo-linh-vuc-\d{4}-\d{2}-\d{2}\.xlsx",
                        download.suggested_filename)
    # From its bytes: the saved file's name has no extension, which openpyxl requires.
    workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()), read_only=True)
    try:
        assert {"Tổng hợp", "Theo lĩnh vực", "Phương pháp"} <= set(workbook.sheetnames)
        rows = list(workbook["Tổng hợp"].iter_rows(values_only=True))
        assert len(rows) > 2 and any("Xã" in str(cell) for row in rows for cell in row)
    finally:
        workbook.close()
    # The progress page stays, full, with a link in case the file did not come.
    expect(page.get_by_text("Đã tính xong. Nếu tệp chưa được tải về,")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Đã tính xong kết quả.")
    expect(_bar(page)).to_have_js_property("value", 100)


def test_without_javascript_the_page_reloads_itself_until_the_results_show(
        live_server, admin_without_script, gate):
    page = admin_without_script
    page.goto(live_server.url + "/results/")
    expect(page.get_by_role("status")).to_have_text("Đang tính kết quả: 0/1 phần…")
    # (Playwright's text and role look-ups skip <noscript>: found by its tag.)
    expect(page.locator("noscript p")).to_contain_text("Trang tự tải lại sau vài giây")
    expect(page.locator("noscript p")).to_be_visible()
    gate.let_through()
    # The <noscript> refresh (every 3 s) brings the results page at the same address.
    _expect_results_page(page)
    assert page.url == live_server.url + "/results/"


def test_approval_progress_sends_the_form_by_itself_then_asks(live_server, admin, gate):
    with live_server.app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.code == "demo-van-canh"))
        campaign.transition_to(CampaignState.CLOSED)
        db.session.commit()
    page = admin
    page.goto(live_server.url + "/results/?campaign=demo-van-canh")
    _expect_progress(page, 0, 1)
    gate.let_through()
    page.wait_for_url(JOB_URL, timeout=WAIT_MS)
    with page.expect_navigation():
        page.get_by_role("button", name="Phê duyệt kết quả").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Chuẩn bị phê duyệt — "))
    status = page.get_by_role("status")
    expect(status).to_have_text(re.compile(r"^Đang tính kết quả: 0/\d+ phần…$"))
    total = int(re.search(r"/(\d+) phần", status.inner_text()).group(1))
    assert total > 1  # every cut and the extras, the results themselves being cached
    assert page.get_by_role("button", name="Tiếp tục").is_visible()
    gate.let_through(total)
    # No click on "Tiếp tục": the form is sent again and the question follows.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Phê duyệt kết quả đợt “.+”\?$"), timeout=WAIT_MS)
    expect(page.get_by_role("button", name="Phê duyệt kết quả (không thể hoàn tác)")
           ).to_be_visible()
    assert gate.computed == 1 + total
