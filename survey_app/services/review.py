"""Reviewing flagged responses: clear them into the counts, or keep them excluded."""

from __future__ import annotations

from sqlalchemy import select

from ..auth import scope_to_units
from ..database import write_transaction
from ..errors import DomainError
from ..extensions import db
from ..models import Campaign, CampaignState, Response, ResponseStatus, Unit, User, utcnow
from . import audit
from .instruments import instrument_of
from .responses import required_rated

CLEAR, KEEP = "clear", "keep"
DECISIONS = {CLEAR: "Chấp nhận", KEEP: "Giữ loại trừ"}


class AlreadyReviewed(DomainError):
    def __init__(self) -> None:
        super().__init__("Phiếu này không còn ở trạng thái bị gắn cờ (đã được xem xét).")


class CampaignApproved(DomainError):
    def __init__(self) -> None:
        super().__init__("Kết quả đợt khảo sát của phiếu này đã được phê duyệt; không thay "
                         "đổi được nữa.")


def flagged_responses(user: User) -> list[tuple[Response, Unit, Campaign]]:
    """Flagged responses of the user's units, oldest first."""
    query = (select(Response, Unit, Campaign).join(Unit, Unit.id == Response.unit_id)
             .join(Campaign, Campaign.id == Response.campaign_id)
             .where(Response.status == ResponseStatus.FLAGGED,
                    Campaign.state != CampaignState.APPROVED)
             .order_by(Response.received_at, Response.id))
    return [(row[0], row[1], row[2])
            for row in db.session.execute(scope_to_units(query, Response.unit_id, user))]


def review(response_id: int, decision: str, user: User) -> ResponseStatus:
    """Clear (counted again if it meets the threshold) or keep excluded; audited."""
    if decision not in DECISIONS:
        raise DomainError("Quyết định không hợp lệ.")
    with write_transaction() as session:
        response = session.get(Response, response_id)
        state = session.scalar(select(Campaign.state).where(Campaign.id == response.campaign_id)
                               .with_for_update())
        if state is CampaignState.APPROVED:
            raise CampaignApproved()
        if response.status is not ResponseStatus.FLAGGED:
            raise AlreadyReviewed()
        if decision == CLEAR:
            campaign = session.get(Campaign, response.campaign_id)
            needed = required_rated(instrument_of(campaign.instrument_version),
                                    campaign.valid_threshold)
            # Cleared of suspicion, it is still only counted if answered enough (§3).
            status = ResponseStatus.VALID if response.n_rated >= needed \
                else ResponseStatus.INVALID
        else:
            status = ResponseStatus.INVALID
        response.status = status
        response.reviewed_by_id = user.id
        response.reviewed_at = utcnow()
        audit.record("response.review", object_type="response", object_id=response.id,
                     before={"status": ResponseStatus.FLAGGED.value,
                             "flag_reason": response.flag_reason},
                     after={"status": status.value, "decision": decision}, user=user)
    return status
