"""Page weight of the citizen form: HTML and gzip bytes for each shipped instrument.

Run: ``.venv/bin/python -m bench.bench_page_weight``. Deterministic; no server needed.
Budget (DESIGN.md): at most 14,600 bytes gzip-compressed for the 22-item instrument.
"""

from __future__ import annotations

import gzip
import logging
import tempfile
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from survey_app import create_app
from survey_app.domain.campaigns.instruments import published_version, sync_shipped_instruments
from survey_app.domain.operations.seeding import seed_demo
from survey_app.extensions import db
from survey_app.models import Campaign, CampaignState, CampaignUnit, Counter, Unit
from tests.support import app_config, migrate_to_head

BUDGET = 14_600


def measure() -> list[tuple[str, int, int]]:
    """(instrument, HTML bytes, gzip bytes) of the form at the demo's Xã Canh Hiển counter."""
    logging.disable(logging.WARNING)  # migration chatter would bury the figures
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'weight.sqlite3'}"
        migrate_to_head(url)
        app = create_app(app_config(url))
        rows = []
        with app.app_context():
            today = date.today()
            seed_demo(today)
            sync_shipped_instruments()
            unit = db.session.scalar(select(Unit).filter_by(code="xa-canh-hien"))
            token = db.session.scalar(select(Counter.token).filter_by(unit_id=unit.id))
            for campaign in db.session.scalars(select(Campaign)):
                campaign.state = CampaignState.CLOSED
            db.session.commit()
            variants = [("sipas-2640", []), ("sipas-1001-dvhcc", []),
                        ("sipas-1001-dvhcc", ["harassment", "expectations"])]
            for number, (code, blocks) in enumerate(variants):
                campaign = Campaign(code=f"weight-{number}", name=code, optional_blocks=blocks,
                                    state=CampaignState.OPEN,
                                    instrument_version=published_version(code),
                                    starts_on=today - timedelta(days=1),
                                    deadline=today + timedelta(days=1),
                                    targets=[CampaignUnit(unit=unit, transactions_n=300)])
                db.session.add(campaign)
                db.session.commit()
                body = app.test_client().get(f"/s/{token}").get_data()
                label = code + "".join(f" +{block}" for block in blocks)
                rows.append((label, len(body), len(gzip.compress(body, 9))))
                campaign.state = CampaignState.CLOSED
                db.session.commit()
            db.session.remove()
            db.engine.dispose()
    return rows


def main() -> None:
    rows = measure()
    print(f"{'instrument':<44} {'HTML bytes':>11} {'gzip bytes':>11}  budget {BUDGET:,}")
    for code, html, compressed in rows:
        verdict = "ok" if compressed <= BUDGET else "OVER"
        print(f"{code:<44} {html:>11,} {compressed:>11,}  {verdict}")


if __name__ == "__main__":
    main()
