"""Reviewing flagged responses: clear them into the counts, or keep them excluded.

Several at once (a whole burst) in one transaction, one audit event per response. A request
naming a response that does not exist, lies outside the user's units or belongs to an
approved campaign changes nothing at all; responses someone else has just reviewed are left
as they were decided and reported back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from ...auth import can_see_unit
from ...database import write_transaction
from ...errors import DomainError
from ...models import Campaign, Response, ResponseStatus, User, utcnow
from ..audit import audit
from ..campaigns.instruments import instrument_of
from .responses import required_rated

CLEAR, KEEP = "clear", "keep"
DECISIONS = {CLEAR: "Chấp nhận", KEEP: "Giữ loại trừ"}
#: Most responses one decision may name (the list page shows at most 500).
MAX_BATCH = 1000
#: Response ids are INTEGER columns; larger numbers name nothing.
MAX_ID = 2**31 - 1


class AlreadyReviewed(DomainError):
    def __init__(self) -> None:
        super().__init__("Phiếu này không còn ở trạng thái bị gắn cờ (đã được xem xét).")


class CampaignApproved(DomainError):
    def __init__(self) -> None:
        super().__init__("Kết quả đợt khảo sát của phiếu này đã được phê duyệt; không thay "
                         "đổi được nữa.")


class UnknownResponses(DomainError):
    """Some of the named responses do not exist."""


class OutOfScope(DomainError):
    """Some of the named responses belong to units the user may not see."""


@dataclass
class Outcome:
    """What one decision did: counted, left out, or skipped (reviewed meanwhile)."""

    decision: str
    counted: list[int] = field(default_factory=list)
    not_counted: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


def parse_ids(values: Iterable[str]) -> list[int]:
    """Response ids from form values; anything but 1..MAX_ID in ASCII digits is refused."""
    ids = []
    for value in values:
        text = value.strip()
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_ID:
            raise DomainError(f"Mã phiếu “{text[:20]}” không hợp lệ.")
        ids.append(int(text))
    return sorted(set(ids))


def review_many(response_ids: Iterable[int], decision: str, user: User) -> Outcome:
    """Clear (counted if answered enough) or keep excluded every named flagged response."""
    if decision not in DECISIONS:
        raise DomainError("Chưa chọn quyết định (Chấp nhận hoặc Giữ loại trừ).")
    ids = sorted(set(response_ids))
    if not ids:
        raise DomainError("Chưa chọn phiếu nào.")
    if len(ids) > MAX_BATCH:
        raise DomainError(f"Mỗi lần chỉ xử lý được tối đa {MAX_BATCH} phiếu.")
    outcome = Outcome(decision)
    with write_transaction() as session:
        found = session.execute(select(Response.id, Response.unit_id, Response.campaign_id)
                                .where(Response.id.in_(ids))).all()
        if len(found) != len(ids):
            missing = sorted(set(ids) - {row.id for row in found})
            raise UnknownResponses(f"Không tìm thấy phiếu {', '.join(map(str, missing[:10]))}.")
        if not all(can_see_unit(row.unit_id, user) for row in found):
            raise OutOfScope("Có phiếu không thuộc đơn vị của bạn; không phiếu nào được xử lý.")
        # Locked like approval locks them: a decision and an approval never interleave.
        campaigns = session.scalars(select(Campaign).where(
            Campaign.id.in_({row.campaign_id for row in found}))
            .order_by(Campaign.id).with_for_update()).all()
        if any(campaign.frozen for campaign in campaigns):
            raise CampaignApproved()
        needed = {campaign.id: required_rated(instrument_of(campaign.instrument_version),
                                              campaign.valid_threshold)
                  for campaign in campaigns}
        now = utcnow()
        for response in session.scalars(select(Response).where(Response.id.in_(ids))
                                        .order_by(Response.id).with_for_update()):
            if response.status is not ResponseStatus.FLAGGED:
                outcome.skipped.append(response.id)
                continue
            # Cleared of suspicion, it is still only counted if answered enough (§3); kept
            # out, it stays an excluded response (METHODOLOGY §3), not an invalid one.
            counted = decision == CLEAR and response.n_rated >= needed[response.campaign_id]
            if decision == CLEAR:
                status = ResponseStatus.VALID if counted else ResponseStatus.INVALID
            else:
                status = ResponseStatus.REJECTED
            (outcome.counted if counted else outcome.not_counted).append(response.id)
            response.status = status
            response.reviewed_by_id = user.id
            response.reviewed_at = now
            audit.record("response.review", object_type="response", object_id=response.id,
                         before={"status": ResponseStatus.FLAGGED.value,
                                 "flag_reason": response.flag_reason,
                                 "burst": response.burst_key},
                         after={"status": status.value, "decision": decision}, user=user)
    return outcome


def review(response_id: int, decision: str, user: User) -> ResponseStatus:
    """Decide one flagged response; AlreadyReviewed if it is no longer flagged."""
    outcome = review_many([response_id], decision, user)
    if outcome.skipped:
        raise AlreadyReviewed()
    if outcome.counted:
        return ResponseStatus.VALID
    return ResponseStatus.INVALID if decision == CLEAR else ResponseStatus.REJECTED
