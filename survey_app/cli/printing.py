"""Commands for printing in bulk: sheet batches and counter posters as PDF files."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select

from ..domain.paper.sheet_batches import BatchRefused, batch_pdf, create_batch
from ..domain.units.posters import all_counters, poster_pdf
from ..extensions import db
from ..models import Campaign, SheetBatch, Unit
from .base import command, fail


def _write(path: Path, body: bytes) -> None:
    try:
        path.write_bytes(body)
    except OSError as error:
        fail(f"Không ghi được tệp {path}: {error.strerror}.")


@command("print-sheets")
@click.option("--campaign", "campaign_code", required=True, help="Campaign code.")
@click.option("--unit", "unit_code", required=True, help="Unit code.")
@click.option("--count", required=True, help="Number of sheets (1–2000).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="PDF file to write.")
def print_sheets_command(campaign_code: str, unit_code: str, count: str, out: Path) -> None:
    """Record a batch of numbered sheets and write its PDF."""
    campaign = db.session.scalar(select(Campaign).filter_by(code=campaign_code))
    if campaign is None:
        fail(f"Không có đợt khảo sát mã “{campaign_code}”.")
    unit = db.session.scalar(select(Unit).filter_by(code=unit_code))
    if unit is None:
        fail(f"Không có đơn vị mã “{unit_code}”.")
    if not out.parent.is_dir():
        fail(f"Thư mục {out.parent} không tồn tại.")
    try:
        batch_id = create_batch(campaign.id, unit.id, count, None)
    except BatchRefused as refused:
        fail(str(refused))
    _write(out, batch_pdf(db.session.get(SheetBatch, batch_id)))
    click.echo(f"Đã tạo lô {batch_id} gồm {int(count)} phiếu cho {unit.name}; tệp: {out}")


@command("print-posters")
@click.option("--unit", "unit_code", default=None, help="Unit code (default: every unit).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="PDF file to write.")
def print_posters_command(unit_code: str | None, out: Path) -> None:
    """Write A4 posters, one page per active counter, of one unit or of all units."""
    unit_id = None
    if unit_code is not None:
        unit = db.session.scalar(select(Unit).filter_by(code=unit_code))
        if unit is None:
            fail(f"Không có đơn vị mã “{unit_code}”.")
        unit_id = unit.id
    counters = all_counters(unit_id)
    if not counters:
        fail("Không có quầy nào đang hoạt động để in áp phích.")
    _write(out, poster_pdf(counters, "a4"))
    click.echo(f"Đã ghi {len(counters)} áp phích vào {out}")
