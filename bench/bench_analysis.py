"""Benchmark: all indices of a campaign from SQLite vs one plain GROUP BY over the answers.

Builds (once per size, cached under --dir) a SQLite database with N synthetic responses of
the 22-item sipas-2640 instrument over 20 units, then, in a fresh process per size, times

* ``compute_campaign_results(campaign)`` — both database passes, the analysis, points,
  comparisons, the whole result dict — wall time and peak memory;
* ``SELECT item_code, value, count(*) FROM answer GROUP BY 1, 2`` — one plain scan of the
  answers table in the same database and process (median of 3 runs);

and prints the ratio, of wall times and of CPU times (the process's own CPU, SQLite
included — the fairer figure on a shared machine). Not part of the test suite; it never
asserts on time.

    .venv/bin/python bench/bench_analysis.py                      # 10,000 and 100,000
    .venv/bin/python bench/bench_analysis.py --sizes 1000000      # 1M: ~22M answers, minutes
    .venv/bin/python bench/bench_analysis.py --sizes 10000 --keep --dir /tmp/bench-analysis
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

N_UNITS = 20
ITEMS = ([f"tc{i}" for i in range(1, 5)] + [f"tt{i}" for i in range(1, 6)]
         + [f"cc{i}" for i in range(1, 7)] + [f"kq{i}" for i in range(1, 4)]
         + [f"pa{i}" for i in range(1, 5)])
FIELDS = ["dat_dai", "ld_tbxh", "ho_tich", "chung_thuc", "xay_dung", "dkkd", "tu_phap", "khac"]
PLAIN_SCAN = "SELECT item_code, value, count(*) FROM answer GROUP BY 1, 2"


def _app(path: Path):
    from survey_app import create_app
    logging.disable(logging.WARNING)
    return create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "bench-only",
                       "SQLITE_SYNCHRONOUS": "OFF"})


def build(path: Path, size: int) -> None:
    """Migrate an empty database, add units and a campaign, bulk-insert the responses."""
    from datetime import date

    from flask_migrate import upgrade

    from survey_app.domain.campaigns.instruments import published_version, sync_shipped_instruments
    from survey_app.extensions import db
    from survey_app.models import Campaign, CampaignState, CampaignUnit, Counter, Unit, UnitKind

    app = _app(path)
    with app.app_context():
        upgrade()
        sync_shipped_instruments()
        units = []
        for number in range(N_UNITS):
            kind = UnitKind.AGENCY if number < 12 else UnitKind.COMMUNE
            unit = Unit(code=f"u{number:02d}", name=f"Đơn vị {number:02d}", kind=kind)
            unit.counters.append(Counter(name=f"Quầy {number:02d}"))
            units.append(unit)
        campaign = Campaign(code="bench", name="Đợt đo hiệu năng", state=CampaignState.CLOSED,
                            instrument_version=published_version("sipas-2640"),
                            starts_on=date(2026, 10, 1), deadline=date(2026, 12, 20))
        campaign.targets = [CampaignUnit(unit=unit, transactions_n=2000 + 150 * number)
                            for number, unit in enumerate(units)]
        db.session.add_all([*units, campaign])
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
                           list(zip(range(N_UNITS), unit_ids, counter_ids, strict=True)))
    connection.execute("CREATE TEMP TABLE fields (n INTEGER PRIMARY KEY, code)")
    connection.executemany("INSERT INTO fields VALUES (?, ?)", list(enumerate(FIELDS)))
    connection.execute("CREATE TEMP TABLE items (n INTEGER PRIMARY KEY, code)")
    connection.executemany("INSERT INTO items VALUES (?, ?)", list(enumerate(ITEMS)))
    # ~2% invalid, ~1% flagged; channel qr/paper; field and unit spread over the rows.
    connection.execute(f"""
        WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {size})
        INSERT INTO response (id, submission_key, payload_digest, campaign_id, unit_id,
            counter_id, instrument_version_id, channel, respondent_type, field, submitted_at,
            received_at, n_rated, status)
        SELECT i, 'bench-' || i, '{"0" * 64}', {campaign_id}, u.unit_id,
               CASE WHEN i % 3 = 0 THEN NULL ELSE u.counter_id END, {version_id},
               CASE WHEN i % 3 = 0 THEN 'paper' ELSE 'qr' END,
               CASE WHEN i % 7 = 0 THEN 'to_chuc' ELSE 'ca_nhan' END, f.code,
               '2026-11-20 09:00:00.000000', '2026-11-20 09:00:00.000000', 22,
               CASE WHEN i % 50 = 0 THEN 'invalid' WHEN i % 97 = 0 THEN 'flagged'
                    ELSE 'valid' END
        FROM seq JOIN units u ON u.n = i % {N_UNITS} JOIN fields f ON f.n = (i / 7) % 8
    """)
    _insert_answers(connection)
    connection.execute("COMMIT")
    connection.execute("ANALYZE")
    connection.close()


def _insert_answers(connection: sqlite3.Connection) -> None:
    """22 answers per response in key order; each unit has its own satisfaction level.

    x = a random draw 0..99 per answer: < 6 → "not applicable" (0), then a share of
    dissatisfied/neutral answers (1..3) that shrinks with the unit, the rest 4 or 5.
    """
    connection.execute("""
        INSERT INTO answer (response_id, item_code, value)
        SELECT id, code,
               CASE WHEN x < 6 THEN 0
                    WHEN x < 36 - (unit_id % 20) THEN 1 + (x % 3)
                    ELSE 4 + (x % 2) END
        FROM (SELECT r.id, r.unit_id, it.code, abs(random()) % 100 AS x
              FROM response r CROSS JOIN items it ORDER BY r.id, it.code)
    """)


def measure(path: Path) -> dict:
    """Time the computation and the plain scan in this (fresh) process."""
    from sqlalchemy import select

    import analysis
    from survey_app.domain.campaigns.instruments import instrument_of
    from survey_app.domain.results import counting
    from survey_app.domain.results.results import compute_campaign_results
    from survey_app.extensions import db
    from survey_app.models import Campaign

    steps: dict[str, float] = {}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            start, cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                steps[name] = steps.get(name, 0.0) + time.perf_counter() - start
                steps[f"{name} CPU"] = (steps.get(f"{name} CPU", 0.0)
                                        + time.process_time() - cpu)
        return wrapper

    counting.count_table = timed("pass 1 counts", counting.count_table)
    counting.moments_table = timed("pass 2 moments", counting.moments_table)
    analysis.compute_results = timed("analysis.compute_results", analysis.compute_results)

    import scipy.stats  # noqa: F401  (imported before the clock starts, as in a server)

    app = _app(path)
    with app.app_context():
        campaign = db.session.scalars(select(Campaign).filter_by(code="bench")).one()
        instrument_of(campaign.instrument_version)
        raw = sqlite3.connect(path)
        raw.execute(PLAIN_SCAN).fetchall()  # warm the page cache like the runs below
        scans, scan_cpus = [], []
        for _ in range(3):
            start, cpu = time.perf_counter(), time.process_time()
            raw.execute(PLAIN_SCAN).fetchall()
            scans.append(time.perf_counter() - start)
            scan_cpus.append(time.process_time() - cpu)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start, cpu = time.perf_counter(), time.process_time()
        results = compute_campaign_results(campaign)
        wall, compute_cpu = time.perf_counter() - start, time.process_time() - cpu
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        timed_steps = dict(steps)
        # A second run under tracemalloc (which slows pandas down) for the Python peak.
        tracemalloc.start()
        compute_campaign_results(campaign)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        n_answers = raw.execute("SELECT count(*) FROM answer").fetchone()[0]
        raw.close()
    scan, scan_cpu = statistics.median(scans), statistics.median(scan_cpus)
    return {"responses": results["district"]["n_responses"],
            "valid": results["district"]["n_valid"], "answers": n_answers,
            "compute_s": wall, "scan_s": scan, "ratio": wall / scan,
            "compute_cpu_s": compute_cpu, "scan_cpu_s": scan_cpu,
            "ratio_cpu": compute_cpu / scan_cpu,
            "steps": timed_steps, "traced_peak_mb": traced_peak / 2**20,
            "maxrss_before_mb": rss_before / 1024, "maxrss_after_mb": rss_after / 1024,
            "db_mb": path.stat().st_size / 2**20}


def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "load": os.getloadavg()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000",
                        help="comma-separated response counts (default 10000,100000)")
    parser.add_argument("--dir", type=Path, default=None,
                        help="where the databases go (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-analysis-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(json.dumps(machine()))
    for size in (int(part) for part in args.sizes.split(",")):
        path = folder / f"analysis-{size}.sqlite3"
        if not path.exists():
            start = time.perf_counter()
            build(path, size)
            print(f"built {size:,} responses in {time.perf_counter() - start:.1f} s "
                  f"({path.stat().st_size / 2**20:.0f} MB)", flush=True)
        output = subprocess.run([sys.executable, __file__, "--measure", str(path)],
                                check=True, capture_output=True, text=True).stdout
        report = json.loads(output.strip().splitlines()[-1])
        steps = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in report["steps"].items())
        print(f"{size:>9,} responses ({report['answers']:,} answers): compute "
              f"{report['compute_s']:.2f} s (CPU {report['compute_cpu_s']:.2f} s), plain "
              f"GROUP BY {report['scan_s']:.2f} s (CPU {report['scan_cpu_s']:.2f} s), ratio "
              f"{report['ratio']:.2f} (CPU {report['ratio_cpu']:.2f}); Python peak "
              f"{report['traced_peak_mb']:.1f} MB, "
              f"max RSS {report['maxrss_before_mb']:.0f} → {report['maxrss_after_mb']:.0f} MB"
              f" [{steps}]", flush=True)
        print(json.dumps({"size": size, **report}), flush=True)
        if not args.keep:
            for leftover in folder.glob(f"analysis-{size}.sqlite3*"):
                leftover.unlink()
    if not args.keep and args.dir is None:
        folder.rmdir()


if __name__ == "__main__":
    main()
