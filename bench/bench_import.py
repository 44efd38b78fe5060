"""Benchmark: importing responses from a file — reading, checking, storing; CSV and .xlsx.

On a fresh migrated SQLite database (or ``--database-url``, emptied first: use a throwaway
PostgreSQL database) with 20 units in an open campaign, for each size in ``--sizes``:

* the bytes of the same rows as CSV and as .xlsx (openpyxl, as Excel would hold them);
* ``read_table`` (bytes → rows of text) for each;
* ``check_import`` (the web page's check: everything but writing) for each;
* ``import_responses`` of the CSV (one transaction, ``CHUNK`` rows at a time), then the same
  file again (everything already there: idempotence costs only the check).

Nothing is asserted. ``--progress`` prints the import's own progress lines on stderr.

    .venv/bin/python -m bench.bench_import [--sizes 1000,10000,50000]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ITEMS = (["tc1", "tc2", "tc3", "tc4"] + [f"tt{i}" for i in range(1, 6)]
         + [f"cc{i}" for i in range(1, 7)] + [f"kq{i}" for i in range(1, 4)]
         + [f"pa{i}" for i in range(1, 5)])
HEADER = ["unit_code", "channel", "respondent_type", "submitted_at", *ITEMS, "comment"]
N_UNITS = 20


def _app(url: str):
    from survey_app import create_app
    logging.disable(logging.WARNING)
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-only",
                       "SQLITE_SYNCHRONOUS": "OFF", "RATELIMIT_ENABLED": False})


def _prepare(url: str):
    from flask_migrate import upgrade
    from sqlalchemy import inspect, text

    from survey_app.domain.campaigns.instruments import published_version, sync_shipped_instruments
    from survey_app.extensions import db
    from survey_app.models import Campaign, CampaignState, CampaignUnit, Unit, UnitKind
    from survey_app.support.dates import today_local

    upgrade()
    if db.engine.dialect.name == "postgresql":
        tables = [t for t in inspect(db.engine).get_table_names() if t != "alembic_version"]
        db.session.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                                + " RESTART IDENTITY CASCADE"))
        db.session.commit()
    sync_shipped_instruments()
    units = [Unit(code=f"u{n:02d}", name=f"Đơn vị {n:02d}", kind=UnitKind.COMMUNE)
             for n in range(N_UNITS)]
    today = today_local()
    campaign = Campaign(code="bench", name="Đợt đo", state=CampaignState.OPEN,
                        instrument_version=published_version("sipas-2640"),
                        starts_on=today - timedelta(days=60), deadline=today + timedelta(days=5))
    campaign.targets = [CampaignUnit(unit=unit, transactions_n=300) for unit in units]
    db.session.add(campaign)
    db.session.commit()
    return campaign


def _rows(size: int, seed: int = 7) -> list[list]:
    rng = random.Random(seed)
    start = datetime.now() - timedelta(days=40)
    return [[f"u{rng.randrange(N_UNITS):02d}", "paper", "ca_nhan",
             start + timedelta(minutes=n), *(rng.choice((3, 4, 4, 5, 5)) for _ in ITEMS),
             rng.choice(("", "Tốt", "Cán bộ nhiệt tình, chu đáo"))] for n in range(size)]


def _csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows([cell.strftime("%d/%m/%Y %H:%M") if isinstance(cell, datetime) else cell
                      for cell in line] for line in rows)
    return out.getvalue().encode()


def _xlsx(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for line in rows:
        sheet.append([cell or None for cell in line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _timed(function, *args, **kwargs):
    """(wall seconds, this process's CPU seconds, value): on a shared machine the CPU time is
    the steadier figure (the database's own work in PostgreSQL's server is not in it)."""
    start, cpu = time.perf_counter(), time.process_time()
    value = function(*args, **kwargs)
    return time.perf_counter() - start, time.process_time() - cpu, value


def measure(url: str, sizes: list[int], progress: bool) -> None:
    from survey_app.cli.data import print_progress
    from survey_app.domain.submissions.importing import check_import, import_responses, read_table
    from survey_app.extensions import db

    app = _app(url)
    with app.app_context():
        print(json.dumps(machine(db.engine.dialect.name)), flush=True)
        for size in sizes:
            campaign = _prepare(url)
            rows = _rows(size)
            files = {"csv": _csv(rows), "xlsx": _xlsx(rows)}
            for kind, data in files.items():
                read, read_cpu, _ = _timed(read_table, data)
                checked, checked_cpu, preview = _timed(check_import, campaign, data)
                db.session.rollback()
                print(f"{size:>7,} rows {kind:<4} {len(data) / 2**20:6.2f} MB  read "
                      f"{read:6.2f} s (CPU {read_cpu:6.2f} s)  check {checked:6.2f} s "
                      f"(CPU {checked_cpu:6.2f} s, {preview.new:,} new)", flush=True)
            stored, stored_cpu, result = _timed(
                import_responses, campaign, files["csv"], source="bench.csv",
                progress=print_progress if progress else None)
            again, again_cpu, repeat = _timed(import_responses, campaign, files["csv"],
                                              source="bench.csv")
            print(f"{size:>7,} rows csv  import {stored:6.2f} s (CPU {stored_cpu:6.2f} s, "
                  f"{result.imported:,} stored)  again {again:6.2f} s (CPU {again_cpu:6.2f} s, "
                  f"{repeat.already_present:,} already there)", flush=True)
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()
            if url.startswith("sqlite:///"):
                for leftover in Path(url.removeprefix("sqlite:///")).parent.glob("*.sqlite3*"):
                    leftover.unlink()


def machine(backend: str) -> dict:
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "backend": backend, "load": os.getloadavg()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--database-url", default="",
                        help="a throwaway database (emptied); default: a temporary SQLite file")
    parser.add_argument("--progress", action="store_true")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.database_url:
        measure(args.database_url, sizes, args.progress)
        return
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        measure(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", sizes, args.progress)


if __name__ == "__main__":
    sys.exit(main())
