"""Benchmark: the comparison with the previous campaign across mergers, at province scale.

A migrated SQLite database with P old communes in a closed 2024 campaign and P/3 new
communes (each the merger of three old ones, ``unit_succession``) in an open 2026 campaign,
N responses in each. Times ``results.compute(campaign, cached=False)`` of the 2026 campaign
(median of 3): with the links (every unit compared with its three predecessors pooled) and
without them (no unit has a previous figure), and prints the difference. Not part of the
test suite; nothing is asserted.

    .venv/bin/python bench/bench_lineage.py                    # 300 old → 100 new, 40,000 each
    .venv/bin/python bench/bench_lineage.py --old 60 --responses 10000
"""

from __future__ import annotations

import argparse
import logging
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ITEMS = ([f"tc{i}" for i in range(1, 5)] + [f"tt{i}" for i in range(1, 6)]
         + [f"cc{i}" for i in range(1, 7)] + [f"kq{i}" for i in range(1, 4)]
         + [f"pa{i}" for i in range(1, 5)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=int, default=300, help="old communes (a multiple of 3)")
    parser.add_argument("--responses", type=int, default=40000, help="responses per campaign")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    from flask_migrate import upgrade
    from sqlalchemy import delete, insert

    from survey_app import create_app
    from survey_app.domain.campaigns.instruments import published_version, sync_shipped_instruments
    from survey_app.domain.results.results import compute
    from survey_app.extensions import db
    from survey_app.models import (
        Answer,
        Campaign,
        CampaignState,
        CampaignUnit,
        Response,
        Unit,
        UnitKind,
        UnitSuccession,
    )

    path = Path(tempfile.mkdtemp()) / "lineage.sqlite3"
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "bench-only",
                      "SQLITE_SYNCHRONOUS": "OFF"})
    with app.app_context():
        upgrade()
        sync_shipped_instruments()
        version = published_version("sipas-2640")
        old = [Unit(code=f"cu-{n:03d}", name=f"Xã Cũ {n:03d}", kind=UnitKind.COMMUNE,
                    valid_to=date(2025, 6, 30)) for n in range(args.old)]
        new = [Unit(code=f"moi-{n:03d}", name=f"Xã Mới {n:03d}", kind=UnitKind.COMMUNE,
                    valid_from=date(2025, 7, 1)) for n in range(args.old // 3)]
        before = Campaign(code="2024", name="Đợt 2024", state=CampaignState.CLOSED,
                          instrument_version=version, starts_on=date(2024, 9, 1),
                          deadline=date(2024, 12, 1))
        before.targets = [CampaignUnit(unit=unit, transactions_n=1000) for unit in old]
        now = Campaign(code="2026", name="Đợt 2026", state=CampaignState.OPEN,
                       instrument_version=version, starts_on=date(2026, 9, 1),
                       deadline=date(2026, 12, 20), previous_campaign=before)
        now.targets = [CampaignUnit(unit=unit, transactions_n=3000) for unit in new]
        db.session.add_all([*old, *new, before, now])
        db.session.commit()
        rng = random.Random(1)
        next_id = 1
        for campaign, units in ((before, old), (now, new)):
            rows, answers = [], []
            for number in range(args.responses):
                unit = units[number % len(units)]
                rows.append({"id": next_id, "submission_key": f"k{next_id}",
                             "payload_digest": "0" * 64, "campaign_id": campaign.id,
                             "unit_id": unit.id, "instrument_version_id": version.id,
                             "channel": "qr", "respondent_type": "ca_nhan",
                             "submitted_at": datetime(2026, 11, 2, tzinfo=UTC), "n_rated": 22,
                             "status": "valid"})
                answers += [{"response_id": next_id, "item_code": item,
                             "value": rng.choice((0, 2, 3, 4, 5, 5))} for item in ITEMS]
                next_id += 1
            db.session.execute(insert(Response), rows)
            db.session.execute(insert(Answer), answers)
        links = [UnitSuccession(predecessor_id=unit.id, successor_id=new[n // 3].id,
                                effective_on=date(2025, 7, 1)) for n, unit in enumerate(old)]
        db.session.add_all(links)
        db.session.commit()

        def timed() -> float:
            times = []
            for _ in range(3):
                campaign = db.session.get(Campaign, now.id)
                started = time.perf_counter()
                results = compute(campaign, cached=False).results
                times.append(time.perf_counter() - started)
                db.session.rollback()
            compared = sum(1 for unit in results["units"] if unit["change"] is not None)
            print(f"    units with a change: {compared} of {len(results['units'])}")
            return statistics.median(times)

        print(f"{platform.processor() or platform.machine()}, Python "
              f"{platform.python_version()}; {args.old} old → {len(new)} new communes, "
              f"{args.responses} responses per campaign")
        with_links = timed()
        print(f"  with the links (pooled predecessors): {with_links:.3f} s")
        db.session.execute(delete(UnitSuccession))
        db.session.commit()
        without = timed()
        print(f"  without links (nothing to compare):   {without:.3f} s")
        print(f"  cost of following the links: {with_links - without:+.3f} s")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
