"""Commands for results: compute the indices to a file, approve a closed campaign."""

from __future__ import annotations

import functools
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select

from ..domain.results import exports
from ..domain.results.approval import FlaggedNotReviewed, approve
from ..domain.results.cuts import CUTS
from ..domain.results.exports import write_export
from ..errors import DomainError
from ..extensions import db
from ..models import Campaign, CampaignState, User
from ..support.lazy import lazy_module
from .base import command, fail

results_service = lazy_module("survey_app.domain.results.results")  # pandas, on first use

FORMATS = ("json", *exports.FORMATS)


def _write_atomically(target: Path, write: Any) -> None:
    """Write through a temporary file in the same folder: a failure leaves no file behind."""
    handle, temporary = tempfile.mkstemp(prefix=".compute-index-", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _campaign(code: str) -> Campaign:
    campaign = db.session.scalar(select(Campaign).filter_by(code=code))
    if campaign is None:
        fail(f"Không có đợt khảo sát mã “{code}”.")
    return campaign


@command("compute-index")
@click.option("--campaign", "campaign_code", required=True, help="Campaign code.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option("--out", "target", required=True, type=click.Path(dir_okay=False),
              help="File to write.")
@click.option("--by", type=click.Choice(list(CUTS)), default=None,
              help="Also cut the results by this dimension.")
def compute_index_command(campaign_code: str, fmt: str, target: str, by: str | None) -> None:
    """Compute every index of a campaign (units and district) and write it to a file."""
    campaign = _campaign(campaign_code)
    path = Path(target)
    if not path.parent.is_dir():
        fail(f"Thư mục “{path.parent}” không tồn tại.")
    try:
        results = results_service.compute_campaign_results(campaign, by=by)
    except DomainError as error:
        fail(str(error))
    if fmt == "json":
        data = results_service.results_json(results)
        _write_atomically(path, lambda stream: stream.write(data))
    else:
        _write_atomically(path, lambda stream: write_export(results, fmt, stream))
    district = results["district"]
    click.echo(f"Đã ghi kết quả đợt “{campaign.code}” ({len(results['units'])} đơn vị, "
               f"{district['n_valid']} phiếu hợp lệ, {district['n_excluded']} phiếu không tính) "
               f"vào {path}.")


@command("approve-results")
@click.option("--campaign", "campaign_code", required=True, help="Campaign code.")
@click.option("--user", "username", required=True, help="Account of the approver.")
@click.option("--confirm-flagged", "confirmed", type=click.IntRange(min=0), default=0,
              show_default=True, help="Approve although this many flagged responses still "
              "wait for review (must be their exact number).")
def approve_results_command(campaign_code: str, username: str, confirmed: int) -> None:
    """Approve the results of a closed campaign: a frozen snapshot with its files."""
    campaign = _campaign(campaign_code)
    user = db.session.scalar(select(User).filter_by(username=username.strip().lower()))
    if user is None:
        fail(f"Không có tài khoản “{username}”.")
    try:
        snapshot = approve(campaign, user, confirmed_flagged=confirmed)
    except FlaggedNotReviewed as waiting:
        fail(f"{waiting} Chưa phê duyệt. Hãy xem xét các phiếu này (trang “Phiếu cần xem "
             f"xét”), hoặc chạy lại với --confirm-flagged {waiting.count} để vẫn phê duyệt.")
    except DomainError as error:
        fail(str(error))
    click.echo(f"Đã phê duyệt kết quả đợt “{campaign_code}” (phiên bản {snapshot.version}, "
               f"{snapshot.n_responses} phiếu được tính). SHA-256 của tệp XLSX: "
               f"{snapshot.xlsx_sha256}")


def _show_part(shown: str, part: str, seconds: float) -> None:
    click.echo(f"  {shown} {part}: {seconds:.1f} s")


@command("recount")
@click.option("--campaign", "campaign_code", default=None,
              help="Only this campaign (default: every campaign that is not a draft).")
@click.option("--progress", is_flag=True, help="Print each part as it is computed.")
def recount_command(campaign_code: str | None, progress: bool) -> None:
    """Recompute every result from the responses (no cache) and refresh the cache."""
    if campaign_code is not None:
        campaigns = [_campaign(campaign_code)]
    else:
        campaigns = list(db.session.scalars(select(Campaign)
                                            .where(Campaign.state != CampaignState.DRAFT)
                                            .order_by(Campaign.id)))
    differed = 0
    for number, campaign in enumerate(campaigns, 1):
        started = time.perf_counter()
        shown = f"[{number}/{len(campaigns)}] {campaign.code}"
        try:
            outcome = results_service.recount(
                campaign, progress=functools.partial(_show_part, shown) if progress else None)
        except DomainError as error:
            fail(f"Đợt “{campaign.code}”: {error}")
        db.session.rollback()  # ends the session's read: the recomputed parts are written now
        differed += len(outcome.differed)
        note = (f"; khác bộ nhớ đệm ở: {', '.join(outcome.differed)}" if outcome.differed
                else "")
        click.echo(f"Đã tính lại đợt “{campaign.code}” ({outcome.parts} phần, "
                   f"{time.perf_counter() - started:.1f} giây){note}.")
    if differed:
        fail(f"{differed} phần kết quả trong bộ nhớ đệm khác với kết quả tính lại; bộ nhớ đệm "
             "đã được thay bằng kết quả tính lại. Hãy báo cho người phát triển.")
