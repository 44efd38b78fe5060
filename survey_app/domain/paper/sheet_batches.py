"""Issuing batches of numbered paper sheets: the batch, unique serials, the stored layout."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, select

from ...auth import scope_to_units
from ...database import write_transaction
from ...errors import DomainError
from ...extensions import db
from ...models import Campaign, CampaignState, CampaignUnit, Response, Sheet, SheetBatch, Unit, User
from ...support.formatting import count_text
from ...support.lazy import lazy_module
from ..audit import audit
from ..campaigns.campaign_scope import campaigns_for
from ..campaigns.instruments import campaign_blocks, instrument_of
from ..units.links import sheet_url
from .serials import new_serial

sheet_pdf = lazy_module("survey_app.domain.paper.sheet_pdf")  # ReportLab, on first use

MAX_SHEETS = 2000
COUNT_PROBLEM = f"Số phiếu phải là số nguyên từ 1 đến {count_text(MAX_SHEETS)}."


class BatchRefused(DomainError):
    """A batch that cannot be issued; the message says why."""


def parse_count(text: str | int | None) -> int:
    """The number of sheets asked for, 1..2,000, or ``BatchRefused``."""
    raw = str(text if text is not None else "").strip()
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_SHEETS:
        raise BatchRefused(COUNT_PROBLEM)
    return int(raw)


def printable_campaigns(user: User) -> list[Campaign]:
    """Draft or open campaigns with at least one unit the user may see."""
    return campaigns_for(user, (CampaignState.DRAFT, CampaignState.OPEN))


def campaign_units(user: User, campaign_ids: list[int]) -> list[tuple[int, Unit]]:
    """(campaign id, unit) pairs taking part that the user may see."""
    query = (select(CampaignUnit.campaign_id, Unit).join(Unit, Unit.id == CampaignUnit.unit_id)
             .where(CampaignUnit.campaign_id.in_(campaign_ids)).order_by(Unit.name))
    return [(row[0], row[1]) for row in
            db.session.execute(scope_to_units(query, CampaignUnit.unit_id, user))]


@dataclass(frozen=True)
class BatchRow:
    batch: SheetBatch
    campaign: Campaign
    unit: Unit
    used: int


def visible_batches(user: User) -> list[BatchRow]:
    """Batches of the user's units, newest first, with how many sheets were answered."""
    used = (select(Sheet.batch_id, func.count(Response.id).label("used"))
            .join(Response, Response.sheet_id == Sheet.id).group_by(Sheet.batch_id).subquery())
    query = (select(SheetBatch, Campaign, Unit, func.coalesce(used.c.used, 0))
             .join(Campaign, Campaign.id == SheetBatch.campaign_id)
             .join(Unit, Unit.id == SheetBatch.unit_id)
             .outerjoin(used, used.c.batch_id == SheetBatch.id)
             .order_by(SheetBatch.created_at.desc(), SheetBatch.id.desc()))
    return [BatchRow(*row) for row in
            db.session.execute(scope_to_units(query, SheetBatch.unit_id, user))]


def _plan_for(campaign: Campaign, unit: Unit, blocks: list[str], fields: list[str] | None):
    instrument = instrument_of(campaign.instrument_version)
    return sheet_pdf.plan_sheet(instrument, blocks, fields, title=instrument.title,
                                unit_name=unit.name, campaign_name=campaign.name)


def _fresh_serials(count: int) -> list[str]:
    """``count`` serials used by no sheet yet (collisions are rare; they are simply redrawn)."""
    chosen: set[str] = set()
    while len(chosen) < count:
        candidates = {new_serial() for _ in range(count - len(chosen))} - chosen
        taken = set(db.session.scalars(select(Sheet.serial).where(Sheet.serial.in_(candidates))))
        chosen |= candidates - taken
    return sorted(chosen)


def create_batch(campaign_id: int, unit_id: int, count: int | str, user: User | None) -> int:
    """Record a batch of ``count`` sheets with fresh serials and its layout; audited."""
    count = parse_count(count)
    campaign = db.session.get(Campaign, campaign_id)
    unit = db.session.get(Unit, unit_id)
    if campaign is None or unit is None:
        raise BatchRefused("Không tìm thấy đợt khảo sát hoặc đơn vị.")
    if campaign.state not in (CampaignState.DRAFT, CampaignState.OPEN):
        raise BatchRefused(f"Đợt khảo sát “{campaign.name}” đã {campaign.state.label.lower()}; "
                           "không in thêm phiếu.")
    if not db.session.scalar(select(exists().where(CampaignUnit.campaign_id == campaign.id,
                                                   CampaignUnit.unit_id == unit.id))):
        raise BatchRefused(f"{unit.name} không tham gia đợt khảo sát “{campaign.name}”.")
    blocks = list(campaign_blocks(campaign))
    fields = list(unit.field_codes) if unit.field_codes else None
    plan = _plan_for(campaign, unit, blocks, fields)
    layout = sheet_pdf.layout_of(plan, count, instrument=campaign.instrument_version.label,
                       blocks=blocks, field_codes=fields)
    with write_transaction() as session:
        serials = _fresh_serials(count)
        batch = SheetBatch(campaign_id=campaign_id, unit_id=unit_id, sheet_count=count,
                           created_by_id=user.id if user else None, layout=layout)
        batch.sheets = [Sheet(serial=serial) for serial in serials]
        session.add(batch)
        session.flush()
        audit.record("sheet_batch.create", object_type="sheet_batch", object_id=batch.id,
                     after={"campaign": campaign_id, "unit": unit_id, "count": count,
                            "first_serial": serials[0], "last_serial": serials[-1]},
                     user=user)
        batch_id = batch.id
    return batch_id


def batch_pdf(batch: SheetBatch) -> bytes:
    """The batch's PDF, drawn again from what was stored (same serials, same layout)."""
    campaign = batch.campaign
    unit = batch.unit
    layout = batch.layout or {}
    plan = _plan_for(campaign, unit, list(layout.get("blocks", [])), layout.get("field_codes"))
    sheets = db.session.scalars(select(Sheet).where(Sheet.batch_id == batch.id)
                                .order_by(Sheet.id)).all()
    return sheet_pdf.render_sheets(plan, [(sheet.serial, sheet_url(sheet)) for sheet in sheets])
