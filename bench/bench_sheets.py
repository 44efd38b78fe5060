"""Printable sheet batch: seconds and bytes for a batch of sheets (default 500).

Run: ``.venv/bin/python -m bench.bench_sheets [--count 500]``. Records a batch for a demo
unit in a scratch SQLite database (serials, layout), then draws its PDF, as the staff
download and ``print-sheets`` do; prints the time of each step, the CPU time and the size.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from datetime import date
from pathlib import Path

import pypdfium2
from sqlalchemy import select

from survey_app import create_app
from survey_app.domain.operations.seeding import seed_demo
from survey_app.domain.paper.sheet_batches import batch_pdf, create_batch
from survey_app.extensions import db
from survey_app.models import Campaign, SheetBatch, Unit
from tests.support import app_config, migrate_to_head


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'sheets.sqlite3'}"
        migrate_to_head(url)
        app = create_app(app_config(url))
        with app.app_context():
            seed_demo(date.today())
            db.session.commit()
            campaign = db.session.scalar(select(Campaign).filter_by(code="demo"))
            unit = db.session.scalar(select(Unit).filter_by(code="p-tn-mt"))
            wall, cpu = time.perf_counter(), time.process_time()
            batch_id = create_batch(campaign.id, unit.id, args.count, None)
            recorded = time.perf_counter() - wall
            pdf = batch_pdf(db.session.get(SheetBatch, batch_id))
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            pages = len(pypdfium2.PdfDocument(pdf))
            db.session.remove()
            db.engine.dispose()
    print(f"{args.count} sheets of the demo's sipas-2640:"
          f" record batch {recorded:.2f} s, whole batch {wall:.2f} s wall / {cpu:.2f} s CPU,"
          f" PDF {len(pdf) / 1e6:.2f} MB, {pages} pages,"
          f" {len(pdf) / args.count / 1024:.1f} KiB per sheet")


if __name__ == "__main__":
    main()
