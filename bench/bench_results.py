"""Benchmark: the results pages, downloads and approval at district and province scale.

Builds (once per scale, cached under --dir) a migrated SQLite database with U units, one
counter each, an open campaign of the 22-item ``sipas-2640`` instrument and N synthetic
responses bulk-inserted in SQL (recursive CTE, ``INSERT … SELECT``), plus an admin account.
Then, in a **fresh process** per scale, through the real app in-process (Flask test client,
so "server time" is the whole request: routing, session, database, computation, template),
it times

* the staff login page — the baseline of the same run (median of 15);
* the district results page and one unit's page (the unit with the median number of
  responses): first view, then warm views (median of 5);
* the first view after one new response is stored in that unit (what an open campaign
  sees all day): the district page, the unit page (each the median of 3 rounds of a new
  response then the view), and both pages in turn;
* the XLSX, CSV and PDF downloads of the results;
* approval of the closed campaign (the snapshot, its three files and the write), the
  campaign being closed first: on a copy with nothing cached, then after ``recount`` (timed
  too) has computed every part;

and prints each time, wall and CPU of this process (SQLite runs in-process, so its work is
counted), and the ratio to the login page. Not part of the test suite; nothing is asserted.

``--demo RESPONSES`` measures the province demo instead (``flask seed-demo``: Gia Lai's
~150 units, Xã Vân Canh through three divisions): the XLSX download (its level sheets)
with nothing cached, warm, and after one new response; the CSV and the province's level
page for comparison.

    .venv/bin/python bench/bench_results.py                          # district and province
    .venv/bin/python bench/bench_results.py --demo 6000              # the province demo
    .venv/bin/python bench/bench_results.py --scales 20:100000 --keep --dir /tmp/bench-results
    .venv/bin/python bench/bench_results.py --scales 20:1000000 --keep --dir /tmp/bench-results

Copied into an older checkout (``bench/`` of that checkout), it measures that version the
same way (without the parts it does not have), for a before/after on the same machine.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ITEMS = ([f"tc{i}" for i in range(1, 5)] + [f"tt{i}" for i in range(1, 6)]
         + [f"cc{i}" for i in range(1, 7)] + [f"kq{i}" for i in range(1, 4)]
         + [f"pa{i}" for i in range(1, 5)])
FIELDS = ["dat_dai", "ld_tbxh", "ho_tich", "chung_thuc", "xay_dung", "dkkd", "tu_phap", "khac"]
#: (units, responses): a district (19–20 units) and a province after 7/2025 (~120 units).
DEFAULT_SCALES = "20:100000,120:40000"
PASSWORD = "bench-only-password-1"  # noqa: S105 — a throwaway bench database


def _config(path: Path) -> dict:
    return {"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "bench-only",
            "SQLITE_SYNCHRONOUS": "OFF", "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False, "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
            "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024,
            # The computation itself is timed, in the request: not the progress page that
            # stands in for it after 2 s (docs/exports.md).
            "RESULTS_IN_BACKGROUND": False}


def _app(path: Path):
    from survey_app import create_app
    logging.disable(logging.WARNING)
    return create_app(_config(path))


def build(path: Path, n_units: int, size: int) -> None:
    """Migrate an empty database, add units, a campaign and an admin, bulk-insert responses."""
    from datetime import date

    from flask_migrate import upgrade

    from survey_app.domain.accounts.accounts import create_user
    from survey_app.domain.campaigns.instruments import published_version, sync_shipped_instruments
    from survey_app.extensions import db
    from survey_app.models import (
        Campaign,
        CampaignState,
        CampaignUnit,
        Counter,
        Role,
        Unit,
        UnitKind,
    )

    app = _app(path)
    with app.app_context():
        upgrade()
        sync_shipped_instruments()
        units = []
        for number in range(n_units):
            kind = UnitKind.AGENCY if number < n_units // 6 else UnitKind.COMMUNE
            unit = Unit(code=f"u{number:03d}", name=f"Đơn vị {number:03d}", kind=kind)
            unit.counters.append(Counter(name=f"Quầy {number:03d}"))
            units.append(unit)
        campaign = Campaign(code="bench", name="Đợt đo hiệu năng", state=CampaignState.OPEN,
                            instrument_version=published_version("sipas-2640"),
                            starts_on=date(2026, 1, 1), deadline=date(2026, 12, 20))
        campaign.targets = [CampaignUnit(unit=unit, transactions_n=2000 + 150 * number)
                            for number, unit in enumerate(units)]
        db.session.add_all([*units, campaign])
        db.session.commit()
        user, _ = create_user("bench-admin", "Bench Admin", Role.ADMIN, [], PASSWORD)
        user.must_change_password = False
        db.session.commit()
        unit_ids = [unit.id for unit in units]
        counter_ids = [unit.counters[0].id for unit in units]
        campaign_id, version_id = campaign.id, campaign.instrument_version_id
        db.session.remove()
        db.engine.dispose()
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA cache_size = -200000")
    connection.execute("BEGIN")
    connection.execute("CREATE TEMP TABLE units (n INTEGER PRIMARY KEY, unit_id, counter_id)")
    connection.executemany("INSERT INTO units VALUES (?, ?, ?)",
                           list(zip(range(n_units), unit_ids, counter_ids, strict=True)))
    connection.execute("CREATE TEMP TABLE fields (n INTEGER PRIMARY KEY, code)")
    connection.executemany("INSERT INTO fields VALUES (?, ?)", list(enumerate(FIELDS)))
    connection.execute("CREATE TEMP TABLE items (n INTEGER PRIMARY KEY, code)")
    connection.executemany("INSERT INTO items VALUES (?, ?)", list(enumerate(ITEMS)))
    # Units get unequal shares (unit k ∝ 1 + k % 5); ~2% invalid, ~1% flagged.
    weights = [1 + number % 5 for number in range(n_units)]
    connection.execute("CREATE TEMP TABLE spread (slot INTEGER PRIMARY KEY, n)")
    connection.executemany("INSERT INTO spread VALUES (?, ?)",
                           list(enumerate(n for n, w in enumerate(weights) for _ in range(w))))
    slots = sum(weights)
    connection.execute(f"""
        WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {size})
        INSERT INTO response (id, submission_key, payload_digest, campaign_id, unit_id,
            counter_id, instrument_version_id, channel, respondent_type, field, submitted_at,
            received_at, n_rated, status, comment)
        SELECT i, 'bench-' || i, '{"0" * 64}', {campaign_id}, u.unit_id,
               CASE WHEN i % 3 = 0 THEN NULL ELSE u.counter_id END, {version_id},
               CASE WHEN i % 3 = 0 THEN 'paper' ELSE 'qr' END,
               CASE WHEN i % 7 = 0 THEN 'to_chuc' ELSE 'ca_nhan' END, f.code,
               '2026-11-20 09:00:00.000000', '2026-11-20 09:00:00.000000', 22,
               CASE WHEN i % 50 = 0 THEN 'invalid' WHEN i % 97 = 0 THEN 'flagged'
                    ELSE 'valid' END,
               CASE WHEN i % 40 = 0 THEN 'Thủ tục nhanh, cán bộ nhiệt tình ' || i END
        FROM seq JOIN spread s ON s.slot = i % {slots} JOIN units u ON u.n = s.n
             JOIN fields f ON f.n = (i / 7) % 8
    """)
    connection.execute("""
        INSERT INTO answer (response_id, item_code, value)
        SELECT id, code,
               CASE WHEN x < 6 THEN 0
                    WHEN x < 36 - (unit_id % 20) THEN 1 + (x % 3)
                    ELSE 4 + (x % 2) END
        FROM (SELECT r.id, r.unit_id, it.code, abs(random()) % 100 AS x
              FROM response r CROSS JOIN items it ORDER BY r.id, it.code)
    """)
    connection.execute("COMMIT")
    connection.execute("ANALYZE")
    connection.close()


class Timer:
    """Times requests: wall and this process's CPU, in milliseconds."""

    def __init__(self, client):
        self.client = client

    def once(self, method: str, url: str, expect: int = 200, **kwargs) -> tuple[float, float]:
        start, cpu = time.perf_counter(), time.process_time()
        reply = getattr(self.client, method)(url, **kwargs)
        body = reply.get_data()
        wall, used = time.perf_counter() - start, time.process_time() - cpu
        if reply.status_code != expect:
            raise RuntimeError(f"{method.upper()} {url}: {reply.status_code}, expected "
                               f"{expect}: {body[:300]!r}")
        return 1000 * wall, 1000 * used

    def median(self, url: str, runs: int) -> tuple[float, float]:
        times = [self.once("get", url) for _ in range(runs)]
        return (statistics.median(t[0] for t in times), statistics.median(t[1] for t in times))


class Figures(dict):
    """Figures by name; each one is shown on stderr as soon as it is measured (--progress)."""

    def __setitem__(self, name: str, figure: tuple[float, float]) -> None:
        super().__setitem__(name, figure)
        print(f"  … {name}: {figure[0]:.1f} ms", file=sys.stderr, flush=True)


def attempt(figures: Figures, errors: dict[str, str], name: str, timer: Timer, method: str,
            url: str, **kwargs) -> None:
    """One timed request; a failure is reported, and the rest is still measured."""
    try:
        figures[name] = timer.once(method, url, **kwargs)
    except RuntimeError as error:
        errors[name] = str(error)[:160]
        print(f"  … {name}: FAILED {errors[name]}", file=sys.stderr, flush=True)


def build_demo(path: Path, responses: int) -> None:
    """A migrated database with the province demo (``seed-demo``) and the bench admin."""
    from flask_migrate import upgrade

    from survey_app.domain.accounts.accounts import create_user
    from survey_app.extensions import db
    from survey_app.models import Role

    app = _app(path)
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["seed-demo", "--responses",
                                                    str(responses)])
        if result.exit_code != 0:
            raise RuntimeError(result.output)
        user, _ = create_user("bench-admin", "Bench Admin", Role.ADMIN, [], PASSWORD)
        user.must_change_password = False
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def measure_demo(path: Path) -> dict:
    """The workbook download of the province demo, in this (fresh) process."""
    from sqlalchemy import func, select

    from survey_app.extensions import db
    from survey_app.models import Campaign, Response, Unit

    app = _app(path)
    figures = Figures()
    with app.app_context():
        campaign = db.session.scalars(select(Campaign).filter_by(code="demo")).one()
        organiser = db.session.get(Unit, campaign.organiser_id).code
        unit_id = db.session.execute(select(Response.unit_id).where(
            Response.campaign_id == campaign.id).group_by(Response.unit_id)
            .order_by(func.count().desc()).limit(1)).scalar_one()
        n_responses = db.session.scalar(select(func.count()).select_from(Response).where(
            Response.campaign_id == campaign.id))
        db.session.remove()
    anonymous = Timer(app.test_client())
    anonymous.once("get", "/staff/login")
    figures["login page"] = anonymous.median("/staff/login", 15)
    timer = Timer(app.test_client())
    timer.once("post", "/staff/login", expect=302,
               data={"username": "bench-admin", "password": PASSWORD})
    xlsx = "/results/download/xlsx?campaign=demo"
    sizes = {}
    figures["download XLSX, nothing cached"] = timer.once("get", xlsx)
    figures["download XLSX"] = timer.median(xlsx, 5)
    sizes["xlsx_bytes"] = len(timer.client.get(xlsx).get_data())
    rounds = []
    for _ in range(3):
        with app.app_context():
            _store_one_response(unit_id, "demo")
        rounds.append(timer.once("get", xlsx))
    figures["download XLSX after a new response"] = (statistics.median(t[0] for t in rounds),
                                                     statistics.median(t[1] for t in rounds))
    figures["download CSV"] = timer.median("/results/download/csv?campaign=demo", 5)
    figures["province level page"] = timer.median(
        f"/results/level/{organiser}?campaign=demo", 3)
    return {"responses": n_responses, "unit_responses": 0, "errors": {}, **sizes,
            "figures": _as_ratios(figures)}


def _store_one_response(unit_id: int, code: str = "bench") -> None:
    """One more valid response in ``unit_id`` through the service that stores submissions."""
    import uuid

    from survey_app.database import write_transaction
    from survey_app.domain.campaigns.instruments import instrument_of
    from survey_app.domain.submissions.responses import Submission, build_response
    from survey_app.extensions import db
    from survey_app.models import Campaign, Channel, Unit, utcnow

    campaign = db.session.query(Campaign).filter_by(code=code).one()
    unit = db.session.get(Unit, unit_id)
    answers = dict.fromkeys(ITEMS, 4)
    with write_transaction() as session:
        session.add(build_response(
            campaign=campaign, unit=unit, version=campaign.instrument_version,
            instrument=instrument_of(campaign.instrument_version),
            submission=Submission(answers=answers, profile={"respondent_type": "ca_nhan"},
                                  comment=""),
            key=uuid.uuid4().hex, channel=Channel.QR, submitted_at=utcnow()))
    db.session.remove()


def measure(path: Path) -> dict:
    """Every figure of one scale, in this (fresh) process."""
    from sqlalchemy import func, select

    from survey_app.domain.results.approval import unreviewed_flagged
    try:
        from survey_app.domain.results.results import recount
    except ImportError:  # an older checkout, measured for comparison: no cache, no recount
        recount = None
    from survey_app.extensions import db
    from survey_app.models import Campaign, CampaignState, Response, Unit

    app = _app(path)
    figures = Figures()
    with app.app_context():
        campaign = db.session.scalars(select(Campaign).filter_by(code="bench")).one()
        counts = db.session.execute(select(Response.unit_id, func.count()).where(
            Response.campaign_id == campaign.id).group_by(Response.unit_id)
            .order_by(func.count(), Response.unit_id)).all()
        unit_id = counts[len(counts) // 2][0]
        unit_code = db.session.get(Unit, unit_id).code
        n_unit = counts[len(counts) // 2][1]
        n_responses = sum(n for _, n in counts)
        db.session.remove()
    anonymous = Timer(app.test_client())
    anonymous.once("get", "/staff/login")  # first request: templates compiled, not measured
    figures["login page"] = anonymous.median("/staff/login", 15)
    client = app.test_client()
    timer = Timer(client)
    timer.once("post", "/staff/login", expect=302,
               data={"username": "bench-admin", "password": PASSWORD})
    district = "/results/?campaign=bench"
    unit = f"/results/unit/{unit_code}?campaign=bench"
    figures["district page, first view"] = timer.once("get", district)
    figures["district page"] = timer.median(district, 5)
    figures["unit page, first view"] = timer.once("get", unit)
    figures["unit page"] = timer.median(unit, 5)
    # What an open campaign sees all day: one new response in one unit, then the first
    # view (median of 3 rounds each; the unit page's round shows it before any other page).
    for name, url in (("district page", district), ("unit page", unit)):
        rounds = []
        for _ in range(3):
            with app.app_context():
                _store_one_response(unit_id)
            rounds.append(timer.once("get", url))
        figures[f"{name} after a new response"] = (statistics.median(t[0] for t in rounds),
                                                   statistics.median(t[1] for t in rounds))
    with app.app_context():
        _store_one_response(unit_id)
    figures["district page, then unit page, after a new response"] = _sum(
        timer.once("get", district), timer.once("get", unit))
    errors: dict[str, str] = {}
    for fmt in ("xlsx", "csv", "pdf"):
        attempt(figures, errors, f"download {fmt.upper()}", timer, "get",
                f"/results/download/{fmt}?campaign=bench")
    with app.app_context():
        db.session.execute(Campaign.__table__.update().values(state=CampaignState.CLOSED))
        db.session.commit()
        flagged = unreviewed_flagged(campaign.id)
        db.session.remove()
        db.engine.dispose()
    # With flagged responses unreviewed, approving needs their number confirmed.
    approve = {"campaign": "bench", "flagged": str(flagged), "confirm_flagged": "y"}
    # Approval computes every cut: on a copy with nothing cached, as a first approval of a
    # campaign whose results nobody looked at…
    cold = path.with_name(path.stem + "-cold.sqlite3")
    _copy(path, cold)
    with sqlite3.connect(cold) as connection:
        if recount is not None:
            connection.execute("DELETE FROM result_cache")
    connection.close()
    cold_app = _app(cold)
    cold_client = cold_app.test_client()
    cold_client.post("/staff/login", data={"username": "bench-admin", "password": PASSWORD})
    attempt(figures, errors, "approval, nothing cached", Timer(cold_client), "post",
            "/results/approve", expect=302, data=approve)
    with cold_app.app_context():
        db.session.remove()
        db.engine.dispose()
    for leftover in cold.parent.glob(cold.name + "*"):
        leftover.unlink()
    # …and after ``flask recount`` computed every part (what closing could be followed by).
    with app.app_context():
        campaign = db.session.scalars(select(Campaign).filter_by(code="bench")).one()
        start, cpu = time.perf_counter(), time.process_time()
        if recount is not None:
            recount(campaign)
            figures["recount (every part)"] = (1000 * (time.perf_counter() - start),
                                               1000 * (time.process_time() - cpu))
        db.session.remove()
    attempt(figures, errors, "approval, every part cached", timer, "post", "/results/approve",
            expect=302, data=approve)
    return {"responses": n_responses, "unit_responses": n_unit, "errors": errors,
            "figures": _as_ratios(figures)}


def _as_ratios(figures: Figures) -> dict:
    """Each figure's wall and CPU time, and its wall time ÷ the login page's."""
    login = figures["login page"][0]
    return {name: {"wall_ms": wall, "cpu_ms": cpu, "ratio_to_login": wall / login}
            for name, (wall, cpu) in figures.items()}


def _sum(*figures: tuple[float, float]) -> tuple[float, float]:
    return sum(f[0] for f in figures), sum(f[1] for f in figures)


def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "load": os.getloadavg()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default=DEFAULT_SCALES,
                        help=f"comma-separated UNITS:RESPONSES (default {DEFAULT_SCALES})")
    parser.add_argument("--dir", type=Path, default=None,
                        help="where the databases go (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the built databases (a kept one is copied, never changed)")
    parser.add_argument("--demo", type=int, metavar="RESPONSES",
                        help="measure the province demo (seed-demo) with this many responses")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--measure-demo", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    if args.measure_demo:
        print(json.dumps(measure_demo(args.measure_demo)))
        return
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-results-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(json.dumps(machine()), flush=True)
    scales = [("demo", args.demo)] if args.demo is not None else [
        tuple(int(part) for part in scale.split(":")) for scale in args.scales.split(",")]
    for n_units, size in scales:
        built = folder / f"results-{n_units}-{size}.sqlite3"
        if not built.exists():
            start = time.perf_counter()
            if n_units == "demo":
                build_demo(built, size)
            else:
                build(built, n_units, size)
            print(f"built {n_units} units, {size:,} responses in "
                  f"{time.perf_counter() - start:.1f} s "
                  f"({built.stat().st_size / 2**20:.0f} MB)", flush=True)
        work = folder / f"run-{n_units}-{size}.sqlite3"  # measuring writes (a response, approval)
        _copy(built, work)
        mode = "--measure-demo" if n_units == "demo" else "--measure"
        output = subprocess.run([sys.executable, __file__, mode, str(work)],
                                check=True, stdout=subprocess.PIPE, text=True).stdout
        report = json.loads(output.strip().splitlines()[-1])
        print(f"== {n_units} units, {report['responses']:,} responses (unit page: "
              f"{report['unit_responses']:,} responses)")
        for name, figure in report["figures"].items():
            print(f"  {name:<40} {figure['wall_ms']:>9.1f} ms  (CPU {figure['cpu_ms']:>8.1f} ms)"
                  f"  × login {figure['ratio_to_login']:>7.1f}")
        for name, error in report["errors"].items():
            print(f"  {name:<40} FAILED: {error}")
        print(json.dumps({"units": n_units, "size": size, **report}), flush=True)
        for leftover in folder.glob(f"run-{n_units}-{size}.sqlite3*"):
            leftover.unlink()
        if not args.keep:
            for leftover in folder.glob(f"results-{n_units}-{size}.sqlite3*"):
                leftover.unlink()
    if not args.keep and args.dir is None:
        folder.rmdir()


def _copy(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database (the online backup API)."""
    for leftover in target.parent.glob(target.name + "*"):
        leftover.unlink()
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    dst.close()
    src.close()


if __name__ == "__main__":
    main()
