"""Results not in the cache: a progress page while a background job computes them, then the
download, the page or the approval question (survey_app/results/preparing.py)."""

from __future__ import annotations

import csv
import io
import re
import threading

import pytest
from sqlalchemy import func, select

from survey_app.domain.results import background, result_cache
from survey_app.extensions import db
from survey_app.models import CampaignState, ResultCache, ResultSnapshot, Role


@pytest.fixture
def config_overrides() -> dict:
    # The request never waits for the job: the progress page always shows.
    return {"RESULTS_IN_BACKGROUND": True, "RESULTS_WAIT_SECONDS": 0}


@pytest.fixture(autouse=True)
def jobs_finish(app):
    """Every job a test started ends before its database goes (a thread outliving its test
    would write into the next one's)."""
    yield
    for thread in list(background._THREADS.values()):
        thread.join(120)
    db.session.rollback()


@pytest.fixture
def world(make_unit, make_campaign, make_user, add_responses):
    tnmt = make_unit("p-tnmt", "Phòng Tài nguyên và Môi trường")
    dak_ha = make_unit("xa-dak-ha", "UBND xã Đắk Hà")
    elsewhere = make_unit("xa-khac", "UBND xã Khác")
    campaign = make_campaign([tnmt, dak_ha], code="2026-huyen")
    add_responses(campaign, tnmt, 10)
    add_responses(campaign, dak_ha, 6, seed=3)
    users = {role: make_user(role.value, role, units=[tnmt] if role is Role.UNIT_STAFF else [])[0]
             for role in Role}
    outsider = make_user("ngoai", Role.UNIT_STAFF, units=[elsewhere])[0]
    return {"campaign": campaign, "users": users, "outsider": outsider}


@pytest.fixture
def paused(monkeypatch):
    """Each part waits until the test lets it go on, and the job's record is read before it."""
    go_on, seen = threading.Event(), []
    compute_part = background._compute_part

    def step(campaign, part):
        assert go_on.wait(60)
        row = db.session.execute(select(ResultCache.part).where(
            ResultCache.part.like(background.PREFIX + "%"))).scalar_one()
        job = background.find(row.removeprefix(background.PREFIX))
        seen.append((job.state, job.done, job.total))
        compute_part(campaign, part)

    monkeypatch.setattr(background, "_compute_part", step)
    return go_on, seen


def _job_of(page: str) -> str:
    return re.search(r'data-progress="/results/progress/([0-9a-f]{32})"', page).group(1)


def _finish(job: str) -> None:
    thread = background.thread_of(job)
    if thread is not None:
        thread.join(120)
    db.session.rollback()


def _jobs() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(ResultCache).where(
        ResultCache.part.like(background.PREFIX + "%")))


def test_uncached_download_shows_progress_then_the_same_file(client, login_as, world,
                                                              paused, app):
    go_on, seen = paused
    login_as(world["users"][Role.VIEWER])
    response = client.get("/results/download/csv", query_string={"by": "field"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "Đang tính kết quả: 0/2 phần…" in page
    assert '<progress id="results-bar" max="100" value="0">' in page
    job = _job_of(page)
    # Without JavaScript the page reloads the same address.
    assert ('<noscript><meta http-equiv="refresh" content="3;url=/results/download/csv?'
            'by=field"></noscript>') in page
    assert f'data-next="/results/download/csv?by=field&amp;job={job}"' in page
    state = client.get(f"/results/progress/{job}").get_json()
    assert state == {"state": "running", "done": 0, "total": 2, "percent": 0,
                     "text": "Đang tính kết quả: 0/2 phần…"}
    # A second click while it runs: the same job, nothing started twice.
    again = client.get("/results/download/csv", query_string={"by": "field"})
    assert _job_of(again.get_data(as_text=True)) == job
    go_on.set()
    _finish(job)
    assert seen == [("running", 0, 2), ("running", 1, 2)]
    assert client.get(f"/results/progress/{job}").get_json() == {
        "state": "done", "done": 2, "total": 2, "percent": 100,
        "text": "Đã tính xong kết quả."}
    prepared = client.get(f"/results/download/csv?by=field&job={job}")
    assert prepared.status_code == 200 and prepared.mimetype == "text/csv"
    # Cached now: the plain address gives the file directly, no second job.
    direct = client.get("/results/download/csv", query_string={"by": "field"})
    assert direct.mimetype == "text/csv" and direct.get_data() == prepared.get_data()
    assert _jobs() == 1
    # The same file as computed in the request from scratch.
    result_cache.forget(world["campaign"].id)
    app.config["RESULTS_IN_BACKGROUND"] = False
    synchronous = client.get("/results/download/csv", query_string={"by": "field"})
    rows = [list(csv.reader(io.StringIO(body.get_data(as_text=True))))
            for body in (prepared, synchronous)]
    assert rows[0] == rows[1] and len(rows[0]) > 3


def test_results_pages_wait_for_their_parts(client, login_as, world):
    login_as(world["users"][Role.ADMIN])
    page = client.get("/results/").get_data(as_text=True)
    assert "Đang chuẩn bị trang kết quả" in page
    _finish(_job_of(page))
    assert "Tổng hợp toàn huyện" in client.get("/results/").get_data(as_text=True)
    page = client.get("/results/unit/p-tnmt").get_data(as_text=True)
    assert "Đang tính kết quả: 0/2 phần…" in page  # the unit page's two cuts
    _finish(_job_of(page))
    assert "10 phiếu hợp lệ" in client.get("/results/unit/p-tnmt").get_data(as_text=True)


def test_progress_only_for_those_who_see_the_campaign(client, login_as, world):
    login_as(world["users"][Role.UNIT_STAFF])
    page = client.get("/results/download/xlsx").get_data(as_text=True)
    job = _job_of(page)
    _finish(job)
    assert client.get(f"/results/progress/{job}").get_json()["state"] == "done"
    login_as(world["outsider"])
    response = client.get(f"/results/progress/{job}")
    assert response.status_code == 404
    assert "Không tìm thấy việc tính kết quả này" in response.get_data(as_text=True)
    client.get("/logout")
    with client.session_transaction() as session:
        session.clear()
    assert client.get(f"/results/progress/{job}").status_code in (302, 303)


@pytest.mark.parametrize("job", ["x", "0" * 32, "A" * 32, "0" * 31 + "%00", "1" * 40])
def test_bad_job_ids(client, login_as, world, job):
    login_as(world["users"][Role.ADMIN])
    response = client.get(f"/results/progress/{job}")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.get_data(as_text=True)  # %00: the input guard's page
    if "%" in job:
        return
    # A bad ?job= on a download is ignored: the progress page as without it.
    assert "Đang tính kết quả" in client.get(f"/results/download/pdf?job={job}").get_data(
        as_text=True)


def test_a_failed_job_says_so(client, login_as, world, monkeypatch):
    def broken(campaign, part):
        raise RuntimeError("boom")

    monkeypatch.setattr(background, "_compute_part", broken)
    login_as(world["users"][Role.ADMIN])
    job = _job_of(client.get("/results/download/pdf").get_data(as_text=True))
    _finish(job)
    state = client.get(f"/results/progress/{job}").get_json()
    assert state["state"] == "failed" and state["text"] == background.FAILED
    monkeypatch.undo()
    # The next click starts it again.
    page = client.get("/results/download/pdf").get_data(as_text=True)
    assert _job_of(page) == job and "0/1 phần" in page
    _finish(job)
    assert client.get("/results/download/pdf").mimetype == "application/pdf"


def test_approval_prepares_then_asks_then_approves_what_it_showed(client, login_as, world):
    campaign = world["campaign"]
    campaign.state = CampaignState.CLOSED
    db.session.commit()
    login_as(world["users"][Role.ADMIN])
    response = client.post("/results/approve", data={"campaign": "2026-huyen"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Chuẩn bị phê duyệt" in page
    # The same POST again, from the page's form (with a CSRF token of its own).
    assert '<form method="post" action="/results/approve" id="results-continue">' in page
    assert '<input type="hidden" name="campaign" value="2026-huyen">' in page
    assert 'name="csrf_token"' in page
    _finish(_job_of(page))
    question = client.post("/results/approve", data={"campaign": "2026-huyen"})
    text = question.get_data(as_text=True)
    assert question.status_code == 200 and "Phê duyệt kết quả đợt" in text
    shown = re.search(r'name="shown" type="hidden" value="([0-9a-f]{64})"', text).group(1)
    # A form from before a change of the numbers is refused, nothing approved.
    stale = client.post("/results/approve", data={"campaign": "2026-huyen", "flagged": "0",
                                                  "shown": "0" * 64})
    assert stale.status_code == 409 and "đã thay đổi" in stale.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(ResultSnapshot)) is None
    done = client.post("/results/approve", data={"campaign": "2026-huyen", "flagged": "0",
                                                 "shown": shown})
    assert done.status_code == 302
    db.session.rollback()
    snapshot = db.session.scalar(select(ResultSnapshot))
    assert snapshot is not None and snapshot.version == 1
    assert _jobs() == 1  # approving itself found every part in the cache
