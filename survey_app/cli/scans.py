"""Reading scanned paper sheets from the command line: one line per page, optionally stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select

from ..extensions import db
from ..models import Campaign, CampaignState, User
from ..support.lazy import lazy_module
from .base import command, fail

FORMATS = ("text", "json")


#: OpenCV, NumPy, PDFium: imported when the command runs, not with every flask command.
intake = lazy_module("survey_app.domain.paper.scan_intake")


def _line(data: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, sort_keys=False)
    text = data.get("message") or data["reason"] or ""
    return "\t".join([data["file"], str(data["page"]), data["serial"] or "-",
                      data.get("outcome") or data["status"], text])


@command("read-scans")
@click.option("--campaign", "campaign_code", required=True, help="Campaign code.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="json: one JSON object per page.")
@click.option("--store", is_flag=True, help="Store the sheets read with confidence and keep "
              "the pages that need a person for the review screen (needs --user).")
@click.option("--user", "username", default=None,
              help="Account the stored sheets are entered by (and whose units it may enter).")
@click.option("--dpi", type=click.IntRange(150, 400), default=200, show_default=True,
              help="Resolution PDF pages are rendered at (reading.DEFAULT_DPI).")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
def read_scans_command(campaign_code: str, fmt: str, store: bool, username: str | None,
                       dpi: int, files: tuple[Path, ...]) -> None:
    """Read scanned or photographed sheets (PDF, JPEG, PNG): one line per page.

    Without --store nothing is written; with it, every sheet read with confidence is stored
    as a typed paper sheet would be, and pages needing a person wait on the review screen.
    """
    campaign = db.session.scalar(select(Campaign).filter_by(code=campaign_code))
    if campaign is None:
        fail(f"Không có đợt khảo sát mã “{campaign_code}”.")
    try:
        contents = [(path.name, path.read_bytes()) for path in files]
    except OSError as error:
        fail(f"Không đọc được tệp: {error.strerror}.")
    if not store:
        if username:
            fail("--user chỉ dùng cùng --store.")
        for read in intake.read_pages(contents, intake.campaign_lookup(campaign), dpi=dpi):
            click.echo(_line(read.result.to_json(), fmt))
        return
    if not username:
        fail("--store cần --user: tài khoản được ghi là người nhập phiếu.")
    user = db.session.scalar(select(User).filter_by(username=username.strip().lower()))
    if user is None or not user.active:
        fail(f"Không có tài khoản “{username}” (hoặc tài khoản đã bị khóa).")
    if campaign.state is not CampaignState.OPEN:
        fail(f"Đợt khảo sát “{campaign.code}” không còn mở; không nhập phiếu.")
    # Every write goes through the paper-entry path, each in its own write transaction.
    outcomes = intake.take_scans(contents, campaign, user, dpi=dpi, check=False)
    for outcome in outcomes:
        click.echo(_line(outcome.to_json(), fmt))
    if fmt == "text":
        counts: dict[str, int] = {}
        for outcome in outcomes:
            counts[outcome.outcome.label] = counts.get(outcome.outcome.label, 0) + 1
        click.echo("Tổng: " + ", ".join(f"{label} {n} trang" for label, n in counts.items()))
