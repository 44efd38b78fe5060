"""Approving a campaign's results: a frozen snapshot of numbers and files (METHODOLOGY §7)."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from ...auth import manages_campaign
from ...database import write_transaction
from ...errors import DomainError
from ...extensions import db
from ...models import (
    Campaign,
    CampaignState,
    Response,
    ResponseStatus,
    ResultSnapshot,
    Role,
    User,
    utcnow,
)
from ..audit import audit
from .cuts import CUTS
from .exports import FORMATS


def _bytes(writer: Any, results: dict[str, Any]) -> bytes:
    stream = io.BytesIO()
    writer(results, stream)
    return stream.getvalue()


class FlaggedNotReviewed(DomainError):
    """Flagged responses still wait for review; approving needs their number confirmed."""

    def __init__(self, count: int):
        self.count = count
        super().__init__(flagged_warning(count))


def flagged_warning(count: int) -> str:
    """What approving now means for the flagged responses not yet reviewed."""
    return (f"Còn {count} phiếu bị gắn cờ chưa được xem xét; chúng sẽ không được tính vào "
            "kết quả phê duyệt, và sau khi phê duyệt không thể xem xét lại.")


def unreviewed_flagged(campaign_id: int) -> int:
    """Flagged responses of the campaign awaiting review (answered from an index)."""
    return db.session.scalar(select(func.count()).select_from(Response).where(
        Response.campaign_id == campaign_id,
        Response.status == ResponseStatus.FLAGGED)) or 0


def approval_refusal(campaign: Campaign | None, user: User | None) -> str | None:
    """Why ``user`` may not approve ``campaign`` now, or None."""
    if campaign is None or user is None:
        return "Không tìm thấy đợt khảo sát hoặc tài khoản."
    if user.role is not Role.ADMIN or not user.is_active:
        return "Chỉ tài khoản quản trị (Phòng Nội vụ) đang hoạt động được phê duyệt kết quả."
    if not manages_campaign(campaign, user):
        return ("Chỉ quản trị của đơn vị tổ chức đợt khảo sát (hoặc cấp trên) được phê duyệt "
                "kết quả.")
    if campaign.state is not CampaignState.CLOSED:
        return (f"Chỉ phê duyệt được đợt khảo sát đã đóng; đợt “{campaign.code}” đang ở "
                f"trạng thái “{campaign.state.label}”.")
    return None


def _next_version(campaign_id: int) -> int:
    latest = db.session.scalar(select(func.max(ResultSnapshot.version))
                               .where(ResultSnapshot.campaign_id == campaign_id))
    return (latest or 0) + 1


def approve(campaign: Campaign, user: User, confirmed_flagged: int = 0) -> ResultSnapshot:
    """Compute, freeze and store the results of a closed campaign; the campaign becomes approved.

    Numbers, fingerprint and files come from one read snapshot, computed before the write
    transaction so that the write lock is held only to store them; the stored files are
    what every later download returns, byte for byte. Refused unless the campaign is
    closed and the user an active admin, and, while flagged responses wait for review,
    unless ``confirmed_flagged`` is exactly their number (all checked again under the lock:
    a review in between changes the number, and the approver must see it again).
    """
    refusal = approval_refusal(campaign, user)
    if refusal:
        raise DomainError(refusal)
    campaign_id, user_id = campaign.id, user.id
    waiting = unreviewed_flagged(campaign_id)
    if waiting and waiting != confirmed_flagged:
        raise FlaggedNotReviewed(waiting)
    from .results import compute

    version = _next_version(campaign_id)
    # Every cut too, so that pages of an approved campaign never mix in later data; the
    # cut by field is also the workbook's "by field" sheet, the levels its level sheets.
    computed = compute(campaign, by="field", fingerprint=True, cuts=tuple(CUTS), levels=True)
    approved_at = utcnow()
    results = computed.results
    results["campaign"]["state"] = CampaignState.APPROVED.value
    results["approval"] = {
        "version": version, "approved_by": user.username, "approved_by_name": user.full_name,
        "approved_at": approved_at.isoformat(timespec="seconds"),
        "response_fingerprint": computed.fingerprint, "n_counted": computed.n_counted,
    }
    # The CSV has the layout of any other CSV download (no cut rows); the workbook keeps its
    # "by field" sheet.
    plain = {key: value for key, value in results.items() if key != "by"}
    files = {name: _bytes(fmt.write, results if name == "xlsx" else plain)
             for name, fmt in FORMATS.items()}
    files["xlsx_sha256"] = hashlib.sha256(files["xlsx"]).hexdigest()
    with write_transaction() as session:
        campaign = session.scalar(select(Campaign).where(Campaign.id == campaign_id)
                                  .with_for_update())
        user = session.get(User, user_id)
        refusal = approval_refusal(campaign, user)
        if refusal or _next_version(campaign_id) != version:
            raise DomainError(refusal or "Đợt khảo sát vừa được phê duyệt ở nơi khác.")
        now_waiting = unreviewed_flagged(campaign_id)
        if now_waiting != waiting:  # reviewed meanwhile: the numbers computed are stale
            if now_waiting:
                raise FlaggedNotReviewed(now_waiting)
            raise DomainError("Các phiếu bị gắn cờ vừa được xem xét xong trong lúc tính kết "
                              "quả; vui lòng phê duyệt lại.")
        snapshot = ResultSnapshot(
            campaign_id=campaign.id, version=version, method=campaign.headline_method,
            instrument_versions=computed.instrument_versions or {},
            response_fingerprint=computed.fingerprint, n_responses=computed.n_counted,
            results=results, computed_at=datetime.fromisoformat(results["computed_at"]),
            approved_by_id=user.id, approved_at=approved_at, **files)
        session.add(snapshot)
        campaign.transition_to(CampaignState.APPROVED)
        audit.record("results.approve", object_type="campaign", object_id=campaign.code,
                     before={"state": CampaignState.CLOSED.value},
                     after={"state": CampaignState.APPROVED.value, "snapshot_version": version,
                            "n_responses": computed.n_counted, "flagged_unreviewed": waiting,
                            "response_fingerprint": computed.fingerprint,
                            "xlsx_sha256": snapshot.xlsx_sha256}, user=user)
    return snapshot


def latest_snapshot(campaign: Campaign) -> ResultSnapshot | None:
    """The campaign's most recent approved snapshot, if any."""
    return db.session.scalar(select(ResultSnapshot)
                             .where(ResultSnapshot.campaign_id == campaign.id)
                             .order_by(ResultSnapshot.version.desc()).limit(1))


def snapshot_file(snapshot: ResultSnapshot, fmt: str) -> bytes | None:
    """The stored bytes of an approved download (``xlsx``, ``csv`` or ``pdf``)."""
    if fmt not in FORMATS:
        raise DomainError(f"Định dạng không hỗ trợ: {fmt}")
    return getattr(snapshot, fmt)
