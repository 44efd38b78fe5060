"""Bursts: many responses from one source, or with one answer pattern, within minutes.

Counted over the last ``BURST_WINDOW_MINUTES`` when a citizen's response is stored (settings
in ``config.py``, explained in docs/public-form.md):

- **client at counter** (QR): more than ``BURST_PER_CLIENT_AT_COUNTER`` from one client hash
  at one counter;
- **same answers** (QR and kiosk): more than ``BURST_SAME_ANSWERS`` at one counter whose item
  answers are identical;
- **straight-lining** (QR and kiosk): more than ``BURST_STRAIGHT_LINE`` at one counter whose
  ratings are all one value (any value);
- **client** (QR): more than ``BURST_PER_CLIENT`` from one client hash, at any counters;
- **counter**: more than ``BURST_PER_COUNTER`` at one counter, whatever their source.

The first four point at one person sending again and again: when one fires, the new response
*and* the earlier responses of the burst still counted are flagged, so that the first few of a
burst do not stay in the indices either. Volume alone does not point at anyone (a queue after
a village meeting): beyond ``BURST_PER_COUNTER`` only the responses past the limit are flagged.
Responses staff have reviewed, and those of approved campaigns, are never touched.

Runs inside the submission's write transaction: SQLite's BEGIN IMMEDIATE serialises writers;
on PostgreSQL transaction-level advisory locks on the counter and on the client hash do.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, and_, func, select, text, update
from sqlalchemy.orm import Session

from questionnaires import NOT_APPLICABLE, Instrument

from ...models import Campaign, Channel, Response, ResponseStatus
from ..audit import audit

ONLINE = (Channel.QR, Channel.KIOSK)
#: First keys of the PostgreSQL advisory locks (the second is the counter id or client hash).
COUNTER_LOCK, CLIENT_LOCK = 72_001, 72_002


@dataclass(frozen=True)
class Rule:
    """One burst rule: its code (in ``burst_key``), setting, wording and reach."""

    code: str
    setting: str
    title: str
    #: Whether the earlier responses of the burst are flagged too.
    whole_burst: bool

    def reason_new(self, number: int, limit: int, minutes: int) -> str:
        return f"{self.title}: phiếu thứ {number} trong {minutes} phút (ngưỡng {limit} phiếu)."

    def reason_earlier(self, number: int, limit: int, minutes: int) -> str:
        return (f"{self.title}: thuộc loạt {number} phiếu trong {minutes} phút (ngưỡng "
                f"{limit} phiếu), được gắn cờ khi loạt vượt ngưỡng.")


#: In order of precedence: the first that fires names the new response's reason.
RULES = (
    Rule("client-counter", "BURST_PER_CLIENT_AT_COUNTER",
         "Nhiều phiếu từ cùng một địa chỉ mạng tại một quầy", True),
    Rule("same-answers", "BURST_SAME_ANSWERS",
         "Nhiều phiếu có câu trả lời giống hệt nhau tại một quầy", True),
    Rule("straight", "BURST_STRAIGHT_LINE",
         "Nhiều phiếu chọn cùng một mức cho mọi câu tại một quầy", True),
    Rule("client", "BURST_PER_CLIENT", "Nhiều phiếu từ cùng một địa chỉ mạng", True),
    Rule("counter", "BURST_PER_COUNTER", "Dồn phiếu tại quầy", False),
)
RULE_TITLES = {rule.code: rule.title for rule in RULES}


def pattern_digest(answers: Mapping[str, int]) -> str:
    """SHA-256 of the item answers alone (not-applicable included; profile and comment not)."""
    canonical = json.dumps(dict(sorted(answers.items())), separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def straight_value(instrument: Instrument, answers: Mapping[str, int]) -> int | None:
    """The one value of every rated item, when at least two are rated and all alike."""
    rated = [answers[item.code] for item in instrument.rating_items
             if answers.get(item.code, NOT_APPLICABLE) != NOT_APPLICABLE]
    return rated[0] if len(rated) >= 2 and len(set(rated)) == 1 else None


def lock_sources(session: Session, counter_id: int | None, client: str | None) -> None:
    """PostgreSQL: hold the counter's, then the client's, burst lock until commit.

    Always in this order and at most one of each per transaction, so two submissions can
    never wait for each other in a cycle. SQLite needs none: its writers are serialised.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    lock = text("SELECT pg_advisory_xact_lock(:kind, :key)")
    if counter_id is not None:
        session.execute(lock, {"kind": COUNTER_LOCK, "key": counter_id})
    if client is not None:
        key = int(client[:8], 16)
        session.execute(lock, {"kind": CLIENT_LOCK, "key": key - (1 << 32) if key >= 1 << 31
                               else key})


def _criteria(response: Response) -> dict[str, ColumnElement[bool]]:
    """Which earlier responses share the source or pattern of ``response``, per rule."""
    counter, client = response.counter_id, response.client_hash
    online = Response.channel.in_(ONLINE)
    at_counter = Response.counter_id == counter
    found: dict[str, ColumnElement[bool]] = {}
    if counter is not None and response.channel in ONLINE:
        if client is not None and response.channel is Channel.QR:
            found["client-counter"] = and_(at_counter, Response.client_hash == client,
                                           Response.channel == Channel.QR)
        if response.pattern_digest is not None:
            found["same-answers"] = and_(at_counter, online,
                                         Response.pattern_digest == response.pattern_digest)
        if response.straight_value is not None:
            found["straight"] = and_(at_counter, online, Response.straight_value.is_not(None))
    if client is not None and response.channel is Channel.QR:
        found["client"] = and_(Response.client_hash == client, Response.channel == Channel.QR)
    if counter is not None:
        found["counter"] = at_counter
    return found


@dataclass(frozen=True)
class Flag:
    """Why a new response is flagged, and the burst it belongs to."""

    reason: str
    burst_key: str


def flag_bursts(session: Session, response: Response, response_id: int, now: datetime
                ) -> Flag | None:
    """The flag for the new response ``response_id`` if it is part of a burst; the burst's
    earlier responses still counted are flagged here (and audited) when the rule says so.

    ``response`` carries the new response's values (source, channel, pattern, status); the
    caller stores the returned flag on it. One statement counts every rule (index range scans
    on ``(counter_id, received_at)`` and ``(client_hash, received_at)``); only a rule that
    fires costs more.
    """
    config = current_app.config
    minutes = int(config["BURST_WINDOW_MINUTES"])
    earlier = and_(Response.received_at >= now - timedelta(minutes=minutes),
                   Response.id != response_id)
    criteria = _criteria(response)
    if not criteria:
        return None
    row = session.execute(select(*(
        select(func.count()).select_from(Response).where(criterion, earlier).scalar_subquery()
        for criterion in criteria.values()))).one()
    counts = dict(zip(criteria, row, strict=True))
    fired = [(rule, counts[rule.code] + 1, int(config[rule.setting])) for rule in RULES
             if rule.code in criteria and counts[rule.code] >= int(config[rule.setting])]
    flag = Flag(response.flag_reason, response.burst_key) \
        if response.status is ResponseStatus.FLAGGED else None
    for rule, number, limit in fired:
        if not rule.whole_burst and flag is not None:
            continue  # nothing left for it to flag
        key = _burst_key(session, rule, and_(criteria[rule.code], earlier), response_id)
        if rule.whole_burst:
            _flag_earlier(session, rule, and_(criteria[rule.code], earlier), key,
                          rule.reason_earlier(number, limit, minutes), response_id)
        if flag is None:
            flag = Flag(rule.reason_new(number, limit, minutes), key)
    return flag


def _burst_key(session: Session, rule: Rule, members: ColumnElement[bool],
               response_id: int) -> str:
    """The key of the burst going on (a trickle stays one burst), else a new one."""
    going_on = session.scalar(select(Response.burst_key).where(
        members, Response.burst_key.like(f"{rule.code}:%"))
        .order_by(Response.received_at, Response.id).limit(1))
    if going_on is not None:
        return going_on
    first = session.scalar(select(func.min(Response.id)).where(members))
    return f"{rule.code}:{first if first is not None else response_id}"


def _flag_earlier(session: Session, rule: Rule, members: ColumnElement[bool], key: str,
                  reason: str, response_id: int) -> list[int]:
    """Flag the burst's earlier responses still counted and never reviewed; audited."""
    approved = select(Campaign.id).where(Campaign.frozen)
    flagged = list(session.scalars(
        update(Response)
        .where(members, Response.status == ResponseStatus.VALID,
               Response.reviewed_at.is_(None), Response.campaign_id.not_in(approved))
        .values(status=ResponseStatus.FLAGGED, flag_reason=reason, burst_key=key)
        .returning(Response.id).execution_options(synchronize_session=False)))
    if flagged:
        audit.record("response.flag_burst", user=None, system=True, object_type="response",
                     object_id=response_id,
                     after=_audit_after(rule, key, reason, sorted(flagged)))
    return flagged


def _audit_after(rule: Rule, key: str, reason: str, ids: list[int]) -> dict[str, Any]:
    return {"rule": rule.code, "burst": key, "flag_reason": reason, "flagged": ids,
            "status": ResponseStatus.FLAGGED.value}
