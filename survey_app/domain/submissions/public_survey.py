"""Which questionnaire a counter link or a paper sheet's link opens, and for which campaign."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.orm import contains_eager

from questionnaires import Block, Instrument

from ...extensions import db
from ...models import (
    Campaign,
    CampaignState,
    CampaignUnit,
    Channel,
    Counter,
    InstrumentVersion,
    Response,
    Sheet,
    Unit,
)
from ...support.formatting import local_moment
from ..campaigns.instruments import campaign_blocks, instrument_of
from .form_keys import FormKey, new_key_value


@dataclass(frozen=True)
class Survey:
    """A form to serve or a form received: where its answers go and what they answer."""

    campaign: Campaign
    unit: Unit
    version: InstrumentVersion
    channel: Channel
    counter: Counter | None = None
    sheet: Sheet | None = None

    @cached_property
    def instrument(self) -> Instrument:
        return instrument_of(self.version)

    @cached_property
    def blocks(self) -> tuple[Block, ...]:
        """The campaign's optional blocks that this instrument version has."""
        wanted = set(campaign_blocks(self.campaign))
        return tuple(block for block in self.instrument.blocks if block.code in wanted)

    @property
    def block_codes(self) -> tuple[str, ...]:
        return tuple(block.code for block in self.blocks)

    @property
    def kiosk(self) -> bool:
        return self.channel is Channel.KIOSK

    def new_key(self) -> FormKey:
        """A key for one more served form: the sheet's serial, or a fresh random key."""
        return FormKey(value=self.sheet.serial if self.sheet else new_key_value(),
                       campaign_id=self.campaign.id, version_id=self.version.id,
                       channel=self.channel, counter_id=self.counter.id if self.counter else None,
                       sheet_id=self.sheet.id if self.sheet else None)

    def accepts_on(self, day: date) -> bool:
        """The campaign is open on ``day`` and this unit still takes part in it."""
        return self.campaign.accepts_responses_on(day) and _takes_part(self.campaign.id,
                                                                       self.unit.id)


#: Built once (a statement object keeps its cache key): every post asks both.
_TAKES_PART = select(exists().where(CampaignUnit.campaign_id == bindparam("campaign"),
                                    CampaignUnit.unit_id == bindparam("unit")))
# The unit comes with the counter from the same join: every page of the link needs it.
_ACTIVE_COUNTER = select(Counter).join(Counter.unit).options(contains_eager(Counter.unit)).where(
    Counter.token == bindparam("token"), Counter.is_active, Unit.is_active)


def _takes_part(campaign_id: int, unit_id: int) -> bool:
    return bool(db.session.scalar(_TAKES_PART, {"campaign": campaign_id, "unit": unit_id}))


def active_counter(token: str) -> Counter | None:
    """The counter whose link this is, unless it was revoked or its unit deactivated."""
    return db.session.scalar(_ACTIVE_COUNTER, {"token": token})


def sheet_by_token(token: str) -> Sheet | None:
    """The paper sheet whose QR code carries this token."""
    return db.session.scalar(select(Sheet).where(Sheet.token == token))


def open_campaign(unit_id: int, today: date) -> Campaign | None:
    """The campaign taking this unit's responses today; the latest started if several."""
    return db.session.scalar(
        select(Campaign).join(CampaignUnit).where(
            CampaignUnit.unit_id == unit_id, Campaign.state == CampaignState.OPEN,
            Campaign.starts_on <= today, Campaign.deadline >= today)
        .order_by(Campaign.starts_on.desc(), Campaign.id.desc()).limit(1))


def answer_minutes(campaign: Campaign) -> int:
    """About how long the campaign's questionnaire takes to answer, in whole minutes."""
    return instrument_of(campaign.instrument_version).minutes(campaign_blocks(campaign))


def promised_minutes(today: date, unit_id: int | None = None) -> int | None:
    """The answering time to promise (home page, a unit's posters): the longest of the open
    campaigns running today (of the unit, when given); None when none is running."""
    query = select(Campaign).where(Campaign.state == CampaignState.OPEN,
                                   Campaign.starts_on <= today, Campaign.deadline >= today)
    if unit_id is not None:
        query = query.where(Campaign.id.in_(select(CampaignUnit.campaign_id)
                                            .where(CampaignUnit.unit_id == unit_id)))
    minutes = [answer_minutes(campaign) for campaign in db.session.scalars(query)]
    return max(minutes) if minutes else None


def schedule_of(unit_id: int, today: date) -> tuple[str, Campaign | None]:
    """When no campaign is open: ("upcoming", next one), ("ended", last one) or ("none", None)."""
    taking_part = select(Campaign).join(CampaignUnit).where(CampaignUnit.unit_id == unit_id)
    upcoming = db.session.scalar(taking_part.where(
        Campaign.state == CampaignState.OPEN, Campaign.starts_on > today)
        .order_by(Campaign.starts_on, Campaign.id).limit(1))
    if upcoming is not None:
        return "upcoming", upcoming
    ended = db.session.scalar(taking_part.where(
        Campaign.state != CampaignState.DRAFT,
        or_(Campaign.state != CampaignState.OPEN, Campaign.deadline < today))
        .order_by(Campaign.deadline.desc(), Campaign.id.desc()).limit(1))
    return ("ended", ended) if ended is not None else ("none", None)


def closed_early_on(campaign: Campaign) -> date | None:
    """The local day a campaign was closed, if that was before its deadline; else None."""
    if campaign.closed_at is None or campaign.state is CampaignState.OPEN:
        return None
    day = local_moment(campaign.closed_at).date()
    return day if day < campaign.deadline else None


def survey_at_counter(counter: Counter, today: date, *, kiosk: bool) -> Survey | None:
    """The form a counter's link opens today, or None when no campaign is open."""
    campaign = open_campaign(counter.unit_id, today)
    if campaign is None:
        return None
    return Survey(campaign=campaign, unit=counter.unit, version=campaign.instrument_version,
                  channel=Channel.KIOSK if kiosk else Channel.QR, counter=counter)


def survey_for_sheet(sheet: Sheet) -> Survey:
    """The form of a paper sheet answered online: its batch's campaign and unit."""
    batch = sheet.batch
    campaign = batch.campaign
    return Survey(campaign=campaign, unit=batch.unit,
                  version=campaign.instrument_version, channel=Channel.QR, sheet=sheet)


#: The campaign and the instrument version a key names, in one statement (two primary keys).
_CAMPAIGN_AND_VERSION = select(Campaign, InstrumentVersion).join(
    InstrumentVersion, InstrumentVersion.id == bindparam("version")).where(
    Campaign.id == bindparam("campaign"))


def survey_of_key(key: FormKey, *, counter: Counter | None = None,
                  sheet: Sheet | None = None) -> Survey | None:
    """The form a received key was served with, if it was served for this counter or sheet."""
    if counter is not None:
        if key.counter_id != counter.id or key.sheet_id is not None \
                or key.channel not in (Channel.QR, Channel.KIOSK):
            return None
        unit = counter.unit
    else:
        if sheet is None or key.sheet_id != sheet.id or key.value != sheet.serial \
                or key.campaign_id != sheet.batch.campaign_id or key.channel is not Channel.QR:
            return None
        unit = db.session.get(Unit, sheet.batch.unit_id)
    row = db.session.execute(_CAMPAIGN_AND_VERSION, {"campaign": key.campaign_id,
                                                     "version": key.version_id}).first()
    if row is None:
        return None
    campaign, version = row
    if not version.is_published:
        return None
    return Survey(campaign=campaign, unit=unit, version=version, channel=key.channel,
                  counter=counter, sheet=sheet)


def sheet_answered(sheet: Sheet) -> bool:
    """Whether the sheet's serial was already used, online or typed in from paper."""
    return bool(db.session.scalar(select(exists().where(
        or_(Response.sheet_id == sheet.id, Response.submission_key == sheet.serial)))))
