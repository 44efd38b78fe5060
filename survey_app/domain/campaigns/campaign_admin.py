"""Creating campaigns, setting each unit's sample basis, and moving campaigns between states.

A campaign belongs to an organising unit (a province, a commune, a historical district): the
admins whose part of the tree holds it manage the campaign, and the units it covers lie in
the organiser's subtree (docs/units.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from ...auth import is_unscoped, manages_campaign, manages_unit
from ...errors import DomainError
from ...extensions import db
from ...models import Campaign, CampaignState, CampaignUnit, InstrumentVersion, Unit, User
from ...support.formatting import count_text
from ...support.text import clean_text
from ...unit_tree import subtree_ids
from ..audit import audit
from ..results.result_settings import METHOD_NAMES, WEIGHTING_NAMES
from .instruments import instrument_of

CODE_PATTERN = re.compile(r"^[a-z0-9-]{2,40}$")
#: States an admin moves a campaign to here; approval belongs to the results pages.
MANUAL_TARGETS = frozenset({CampaignState.OPEN, CampaignState.CLOSED})
#: Upper bounds that keep a typing slip from overflowing an integer column.
MAX_TRANSACTIONS = 10_000_000
MAX_FIXED_TARGET = 100_000
#: Fewest valid responses a campaign may require before comparing a unit (METHODOLOGY §4).
MIN_COMPARE_RANGE = range(2, 100_001)


@dataclass
class CampaignData:
    """What a person fills in for a new campaign."""

    code: str
    name: str
    instrument_version_id: int
    starts_on: date
    deadline: date
    headline_method: str = "mean-of-elements"
    valid_threshold: float = 0.5
    margin_of_error: float = 0.05
    weighting: str = "respondent"
    min_compare_responses: int = 30
    optional_blocks: list[str] = field(default_factory=list)
    unit_ids: list[int] = field(default_factory=list)
    #: The organising unit; None only for a campaign of the whole installation.
    organiser_id: int | None = None


@dataclass(frozen=True)
class Target:
    """One row of the targets table: a unit taking part with N or a fixed target."""

    unit_id: int
    transactions_n: int | None
    fixed_target: int | None


def campaign_snapshot(campaign: Campaign) -> dict:
    return {"code": campaign.code, "name": campaign.name,
            "instrument": campaign.instrument_version.label,
            "starts_on": campaign.starts_on.isoformat(), "deadline": campaign.deadline.isoformat(),
            "headline_method": campaign.headline_method,
            "valid_threshold": campaign.valid_threshold,
            "margin_of_error": campaign.margin_of_error, "weighting": campaign.weighting,
            "min_compare_responses": campaign.min_compare_responses,
            "optional_blocks": list(campaign.optional_blocks), "state": campaign.state.value,
            "organiser": campaign.organiser.code if campaign.organiser else None}


OUTSIDE_SCOPE = "Đợt khảo sát này do đơn vị ngoài phạm vi quản lý của anh/chị tổ chức."


def require_manages(campaign: Campaign, actor: User | None) -> None:
    """Refuse a change to ``campaign`` by an admin whose part of the tree lacks its organiser."""
    if actor is not None and not manages_campaign(campaign, actor):
        raise DomainError(OUTSIDE_SCOPE)


def _organiser(organiser_id: int | None, actor: User | None) -> Unit | None:
    if organiser_id is None:
        if actor is not None and not is_unscoped(actor):
            raise DomainError("Hãy chọn đơn vị tổ chức đợt khảo sát.")
        return None
    unit = db.session.get(Unit, organiser_id)
    if unit is None:
        raise DomainError("Đơn vị tổ chức không tồn tại.")
    if actor is not None and not manages_unit(unit.id, actor):
        raise DomainError("Đơn vị tổ chức phải thuộc phạm vi quản lý của anh/chị.")
    return unit


def coverable_unit_ids(organiser_id: int | None) -> set[int] | None:
    """Units a campaign of ``organiser_id`` may cover: its subtree (None: any unit)."""
    return None if organiser_id is None else subtree_ids([organiser_id])


def published_versions() -> list[InstrumentVersion]:
    query = select(InstrumentVersion).where(InstrumentVersion.published_at.is_not(None))
    return list(db.session.scalars(query.order_by(InstrumentVersion.code,
                                                  InstrumentVersion.version.desc())))


def create_campaign(data: CampaignData, *, actor: User | None) -> Campaign:
    """A draft campaign over the chosen units (caller commits)."""
    data.name = clean_text(data.name)
    if not CODE_PATTERN.match(data.code):
        raise DomainError("Mã đợt chỉ gồm chữ thường không dấu, số và dấu gạch ngang "
                          "(2–40 ký tự).")
    if db.session.scalar(select(Campaign.id).where(Campaign.code == data.code)) is not None:
        raise DomainError(f"Mã đợt “{data.code}” đã được dùng.")
    if not data.name:
        raise DomainError("Tên đợt khảo sát không được để trống.")
    version = db.session.get(InstrumentVersion, data.instrument_version_id)
    if version is None or not version.is_published:
        raise DomainError("Hãy chọn một bộ phiếu đã công bố.")
    if data.starts_on > data.deadline:
        raise DomainError("Ngày bắt đầu phải trước hoặc bằng hạn chót.")
    if data.headline_method not in METHOD_NAMES:
        raise DomainError("Cách tính chỉ số chung không hợp lệ.")
    if data.weighting not in WEIGHTING_NAMES:
        raise DomainError("Cách lấy trọng số không hợp lệ.")
    if data.min_compare_responses not in MIN_COMPARE_RANGE:
        raise DomainError("Số phiếu tối thiểu để so sánh phải từ 2 đến 100.000.")
    if not 0 < data.valid_threshold <= 1:
        raise DomainError("Ngưỡng phiếu hợp lệ phải lớn hơn 0 và không quá 1.")
    if not 0 < data.margin_of_error < 1:
        raise DomainError("Sai số cho phép phải lớn hơn 0 và nhỏ hơn 1.")
    known_blocks = {block.code for block in instrument_of(version).blocks}
    unknown = sorted(set(data.optional_blocks) - known_blocks)
    if unknown:
        raise DomainError(f"Bộ phiếu {version.label} không có phần tùy chọn: "
                          f"{', '.join(unknown)}.")
    organiser = _organiser(data.organiser_id, actor)
    units = _units(data.unit_ids, organiser.id if organiser else None)
    campaign = Campaign(code=data.code, name=data.name, instrument_version=version,
                        organiser=organiser,
                        starts_on=data.starts_on, deadline=data.deadline,
                        headline_method=data.headline_method, weighting=data.weighting,
                        min_compare_responses=data.min_compare_responses,
                        valid_threshold=data.valid_threshold,
                        margin_of_error=data.margin_of_error,
                        optional_blocks=list(data.optional_blocks), state=CampaignState.DRAFT)
    campaign.targets = [CampaignUnit(unit=unit) for unit in units]
    db.session.add(campaign)
    db.session.flush()
    audit.record("campaign.create", user=actor, object_type="campaign",
                 object_id=campaign.code,
                 after={**campaign_snapshot(campaign), "units": [u.code for u in units]})
    return campaign


def _units(unit_ids: list[int], organiser_id: int | None) -> list[Unit]:
    if not unit_ids:
        return []
    units = list(db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids))
                                    .order_by(Unit.code)))
    if len(units) != len(set(unit_ids)):
        raise DomainError("Có đơn vị không tồn tại trong danh sách đã chọn.")
    allowed = coverable_unit_ids(organiser_id)
    outside = [unit.name for unit in units if allowed is not None and unit.id not in allowed]
    if outside:
        raise DomainError("Đợt khảo sát chỉ gồm đơn vị tổ chức và các đơn vị cấp dưới của nó; "
                          "ngoài phạm vi: " + ", ".join(outside) + ".")
    return units


def set_targets(campaign: Campaign, targets: list[Target], *, actor: User | None) -> None:
    """Replace the units taking part and their N or fixed target (caller commits)."""
    require_manages(campaign, actor)
    if campaign.frozen:
        raise DomainError("Đợt khảo sát đã phê duyệt: không sửa được chỉ tiêu.")
    units = {unit.id: unit for unit in _units([target.unit_id for target in targets],
                                              campaign.organiser_id)}
    for target in targets:
        name = units[target.unit_id].name
        if target.transactions_n is None and target.fixed_target is None:
            raise DomainError(f"{name}: nhập số hồ sơ N hoặc chỉ tiêu cố định.")
        if target.transactions_n is not None and not 0 <= target.transactions_n <= \
                MAX_TRANSACTIONS:
            raise DomainError(f"{name}: số hồ sơ N phải từ 0 đến "
                              f"{count_text(MAX_TRANSACTIONS)}.")
        if target.fixed_target is not None and not 0 < target.fixed_target <= MAX_FIXED_TARGET:
            raise DomainError(f"{name}: chỉ tiêu cố định phải lớn hơn 0 và không quá "
                              f"{count_text(MAX_FIXED_TARGET)}.")
    before = _targets_snapshot(campaign)
    current = {row.unit_id: row for row in campaign.targets}
    wanted = {target.unit_id: target for target in targets}
    campaign.targets = [row for row in campaign.targets if row.unit_id in wanted]
    for unit_id, target in wanted.items():
        row = current.get(unit_id)
        if row is None:
            row = CampaignUnit(unit=units[unit_id])
            campaign.targets.append(row)
        row.transactions_n, row.fixed_target = target.transactions_n, target.fixed_target
    db.session.flush()
    audit.record("campaign.targets", user=actor, object_type="campaign",
                 object_id=campaign.code,
                 before=before, after=_targets_snapshot(campaign))


def _targets_snapshot(campaign: Campaign) -> dict:
    return {row.unit.code: {"n": row.transactions_n, "fixed": row.fixed_target}
            for row in sorted(campaign.targets, key=lambda row: row.unit.code)}


def change_state(campaign: Campaign, target: CampaignState, *, actor: User | None) -> None:
    """Open, close or reopen a campaign; forbidden moves raise ``InvalidTransition``."""
    require_manages(campaign, actor)
    if target not in MANUAL_TARGETS:
        raise DomainError("Phê duyệt kết quả được thực hiện ở trang Kết quả, không ở đây.")
    if target is CampaignState.OPEN and not campaign.targets:
        raise DomainError("Chưa có đơn vị nào tham gia đợt khảo sát: hãy nhập chỉ tiêu trước.")
    before = campaign.state.value
    campaign.transition_to(target)
    audit.record("campaign.state", user=actor, object_type="campaign",
                 object_id=campaign.code,
                 before={"state": before}, after={"state": target.value})
