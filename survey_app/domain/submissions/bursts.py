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

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, bindparam, func, select, text, update
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


#: Which earlier responses share the new one's source or pattern, per rule, over bound
#: values (``:counter``, ``:client``, ``:digest``: see ``flag_bursts``), so that the statements
#: made of them are built once.
_AT_COUNTER = Response.counter_id == bindparam("counter")
_QR_CLIENT = and_(Response.client_hash == bindparam("client"), Response.channel == Channel.QR)
_ONLINE = Response.channel.in_(ONLINE)
_CRITERIA: dict[str, ColumnElement[bool]] = {
    "client-counter": and_(_AT_COUNTER, _QR_CLIENT),
    "same-answers": and_(_AT_COUNTER, _ONLINE,
                         Response.pattern_digest == bindparam("digest")),
    "straight": and_(_AT_COUNTER, _ONLINE, Response.straight_value.is_not(None)),
    "client": _QR_CLIENT,
    "counter": _AT_COUNTER,
}
#: Within the window (``:since``), the new response itself (``:response_id``) left out.
_EARLIER = and_(Response.received_at >= bindparam("since"),
                Response.id != bindparam("response_id"))


def _codes(response: Mapping[str, Any]) -> tuple[str, ...]:
    """The rules that apply to the new response (its values), in ``_CRITERIA``'s order."""
    counter, client, channel = response["counter_id"], response["client_hash"], \
        response["channel"]
    qr_client = client is not None and channel is Channel.QR
    applies = {"client-counter": counter is not None and qr_client,
               "same-answers": counter is not None and channel in ONLINE
               and response["pattern_digest"] is not None,
               "straight": counter is not None and channel in ONLINE
               and response["straight_value"] is not None,
               "client": qr_client, "counter": counter is not None}
    return tuple(code for code in _CRITERIA if applies[code])


@functools.cache
def _counting(codes: tuple[str, ...]) -> Select:
    """One statement counting the earlier responses of every rule in ``codes``."""
    return select(*(select(func.count()).select_from(Response)
                    .where(_CRITERIA[code], _EARLIER).scalar_subquery() for code in codes))


@dataclass(frozen=True)
class Flag:
    """Why a new response is flagged, and the burst it belongs to."""

    reason: str
    burst_key: str


def flag_bursts(session: Session, response: Mapping[str, Any], response_id: int,
                now: datetime) -> Flag | None:
    """The flag for the new response ``response_id`` if it is part of a burst; the burst's
    earlier responses still counted are flagged here (and audited) when the rule says so.

    ``response`` holds the new response's column values (source, channel, pattern); the
    caller stores the returned flag on it. One statement counts every rule (index range scans
    on ``(counter_id, received_at)`` and ``(client_hash, received_at)``); only a rule that
    fires costs more.
    """
    config = current_app.config
    minutes = int(config["BURST_WINDOW_MINUTES"])
    codes = _codes(response)
    if not codes:
        return None
    params = {"counter": response["counter_id"], "client": response["client_hash"],
              "digest": response["pattern_digest"], "response_id": response_id,
              "since": now - timedelta(minutes=minutes)}
    counts = dict(zip(codes, session.execute(_counting(codes), params).one(), strict=True))
    fired = [(rule, counts[rule.code] + 1, int(config[rule.setting])) for rule in RULES
             if rule.code in counts and counts[rule.code] >= int(config[rule.setting])]
    flag: Flag | None = None
    for rule, number, limit in fired:
        if not rule.whole_burst and flag is not None:
            continue  # nothing left for it to flag
        members = and_(_CRITERIA[rule.code], _EARLIER)
        key = _burst_key(session, rule, members, params)
        if rule.whole_burst:
            _flag_earlier(session, rule, members, params, key,
                          rule.reason_earlier(number, limit, minutes))
        if flag is None:
            flag = Flag(rule.reason_new(number, limit, minutes), key)
    return flag


def _burst_key(session: Session, rule: Rule, members: ColumnElement[bool],
               params: dict[str, Any]) -> str:
    """The key of the burst going on (a trickle stays one burst), else a new one."""
    going_on = session.scalar(select(Response.burst_key).where(
        members, Response.burst_key.like(f"{rule.code}:%"))
        .order_by(Response.received_at, Response.id).limit(1), params)
    if going_on is not None:
        return going_on
    first = session.scalar(select(func.min(Response.id)).where(members), params)
    return f"{rule.code}:{first if first is not None else params['response_id']}"


def _flag_earlier(session: Session, rule: Rule, members: ColumnElement[bool],
                  params: dict[str, Any], key: str, reason: str) -> list[int]:
    """Flag the burst's earlier responses still counted and never reviewed; audited."""
    approved = select(Campaign.id).where(Campaign.frozen)
    flagged = list(session.scalars(
        update(Response)
        .where(members, Response.status == ResponseStatus.VALID,
               Response.reviewed_at.is_(None), Response.campaign_id.not_in(approved))
        .values(status=ResponseStatus.FLAGGED, flag_reason=reason, burst_key=key)
        .returning(Response.id).execution_options(synchronize_session=False), params))
    if flagged:
        audit.record("response.flag_burst", user=None, system=True, object_type="response",
                     object_id=params["response_id"],
                     after=_audit_after(rule, key, reason, sorted(flagged)))
    return flagged


def _audit_after(rule: Rule, key: str, reason: str, ids: list[int]) -> dict[str, Any]:
    return {"rule": rule.code, "burst": key, "flag_reason": reason, "flagged": ids,
            "status": ResponseStatus.FLAGGED.value}
