"""Reading flagged responses for staff: how many wait, the list by burst, one response whole.

Only responses of campaigns not yet approved wait for review (approval freezes the data),
and every query is scoped to the user's units.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select

from ...auth import scope_to_units
from ...extensions import db
from ...models import (
    Campaign,
    Counter,
    InstrumentVersion,
    Response,
    ResponseStatus,
    Unit,
    User,
)
from ..campaigns.instruments import instrument_of
from .bursts import RULE_TITLES
from .responses import PROFILE_COLUMNS

#: The list shows at most this many responses at once (oldest first); a burst page shows all.
LIST_LIMIT = 500


def _waiting(query: Select, user: User) -> Select:
    """``query`` limited to flagged responses awaiting review in the user's units.

    Written as ``campaign_id IN (campaigns not approved)`` so that the count is answered
    from the ``(campaign_id, status, unit_id)`` index alone.
    """
    open_campaigns = select(Campaign.id).where(~Campaign.frozen)
    query = query.where(Response.campaign_id.in_(open_campaigns),
                        Response.status == ResponseStatus.FLAGGED)
    return scope_to_units(query, Response.unit_id, user)


def waiting_count(user: User, campaign_id: int | None = None) -> int:
    """Flagged responses awaiting review that ``user`` may see (the menu shows it)."""
    query = select(func.count()).select_from(Response)
    if campaign_id is not None:
        query = query.where(Response.campaign_id == campaign_id)
    return db.session.scalar(_waiting(query, user)) or 0


@dataclass
class FlaggedRow:
    response: Response
    unit: Unit
    campaign: Campaign
    counter: Counter | None


@dataclass
class BurstGroup:
    """Flagged responses of one burst (or one response flagged alone), oldest first."""

    key: str | None
    title: str
    rows: list[FlaggedRow] = field(default_factory=list)


@dataclass
class FlaggedList:
    groups: list[BurstGroup]
    shown: int
    total: int


def burst_title(key: str | None) -> str:
    """What kind of burst a key names, for a group's heading."""
    rule = (key or "").partition(":")[0]
    return RULE_TITLES.get(rule, "Phiếu bị gắn cờ")


def flagged_list(user: User, *, burst: str | None = None,
                 campaign_id: int | None = None) -> FlaggedList:
    """The flagged responses awaiting review, grouped by burst in order of arrival."""
    query = (select(Response, Unit, Campaign, Counter)
             .join(Unit, Unit.id == Response.unit_id)
             .join(Campaign, Campaign.id == Response.campaign_id)
             .outerjoin(Counter, Counter.id == Response.counter_id))
    if burst is not None:
        query = query.where(Response.burst_key == burst)
    if campaign_id is not None:
        query = query.where(Response.campaign_id == campaign_id)
    query = _waiting(query, user)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.execute(query.order_by(Response.received_at, Response.id)
                              .limit(LIST_LIMIT)).all()
    groups: dict[str, BurstGroup] = {}
    for response, unit, campaign, counter in rows:
        key = response.burst_key or f"response:{response.id}"
        group = groups.setdefault(key, BurstGroup(response.burst_key,
                                                  burst_title(response.burst_key)))
        group.rows.append(FlaggedRow(response, unit, campaign, counter))
    return FlaggedList(groups=list(groups.values()), shown=len(rows), total=total)


@dataclass(frozen=True)
class AnswerLine:
    number: int
    text: str
    answer: str


@dataclass
class FlaggedDetail:
    """One response as staff read it: every question with the chosen answer's label."""

    response: Response
    unit: Unit
    campaign: Campaign
    counter: Counter | None
    answers: list[AnswerLine]
    profile: list[tuple[str, str]]
    burst_title: str
    burst_waiting: int
    reviewer: str | None


def flagged_detail(response: Response, user: User) -> FlaggedDetail:
    """The response's answers, profile and comment with labels, and its burst."""
    campaign = response.campaign
    instrument = instrument_of(db.session.get(InstrumentVersion,
                                              response.instrument_version_id))
    values = response.answer_values()
    # Every rating item (a blank shows as "—"), then the optional questions answered.
    items = [*instrument.rating_items, *(item for block in instrument.blocks
                                         for item in block.items if item.code in values)]
    answers = [AnswerLine(number, item.text, "—" if item.code not in values
                          else _label(item.scale.label_for, values[item.code]))
               for number, item in enumerate(items, 1)]
    profile = [(question.label, _label(question.label_for, getattr(response, question.code),
                                       shown=False) if getattr(response, question.code) else "—")
               for question in instrument.profile
               if question.kind == "choice" and question.code in PROFILE_COLUMNS]
    waiting = 0
    if response.burst_key:
        waiting = db.session.scalar(_waiting(select(func.count()).select_from(Response)
                                             .where(Response.burst_key == response.burst_key),
                                             user)) or 0
    reviewer = None
    if response.reviewed_by_id is not None:
        reviewer_user = response.reviewed_by
        reviewer = reviewer_user.full_name or reviewer_user.username if reviewer_user else None
    return FlaggedDetail(
        response=response, unit=response.unit, campaign=campaign,
        counter=response.counter,
        answers=answers, profile=profile, burst_title=burst_title(response.burst_key),
        burst_waiting=waiting, reviewer=reviewer)


def _label(label_for: Callable[[Any], str], value: Any, shown: bool = True) -> str:
    """An answer's label (with the stored value if ``shown``); an unknown value as is."""
    try:
        label = label_for(value)
    except KeyError:
        return str(value)
    return f"{label} ({value})" if shown else label
