"""Computed results kept in the database and used only while what they came from is unchanged.

A campaign's results are computed in parts — ``base`` (units, district, the comparison with
the previous campaign), one ``cut:<dimension>`` per cut, ``levels`` (the levels of the
unit tree, for the workbook), ``extras`` (what approval records about the counted
responses) — and each part is stored with the **fingerprint** of
everything its computation reads:

* the revision counters of the campaign's and its previous campaign's responses
  (``result_revision``, kept by triggers on ``response`` and ``answer`` in the same
  transaction as every change: migration 0008), read in the computation's own snapshot;
* the settings, as the session hands them to the computation: the campaign's and the
  previous campaign's rows, their targets and instrument versions, every unit (with its
  validity dates), counter and "became" link between units (``unit_succession``: the
  comparison follows them), the bytes of the scoring file;
* the source code that computes results (``analysis``, ``questionnaires``, this package,
  the models).

Reading the fingerprint costs a few small queries, whatever the number of responses. A part
whose stored fingerprint is the current one is returned as stored; any other part is
computed from the data and stored. Numbers are therefore those of a full recomputation
(tests/results/test_result_cache.py compares them after random sequences of changes);
``flask --app wsgi recount`` recomputes everything from scratch and refreshes the cache.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event, inspect, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from questionnaires import SCORING_DIR

from ...extensions import db
from ...models import (
    Campaign,
    Counter,
    ResultCache,
    ResultRevision,
    Unit,
    UnitSuccession,
    utcnow,
)

log = logging.getLogger(__name__)

#: Bumped when the stored form of a part changes.
CACHE_FORMAT = 1
BASE = "base"
EXTRAS = "extras"
#: The levels of the unit tree with a drill-down (``levels.tree``): the workbook's sheets.
LEVELS = "levels"
#: Busy timeout while storing a part on SQLite: the cache never waits long for the lock.
STORE_BUSY_MS = 1000

_ROOT = Path(__file__).resolve().parents[3]
#: The code a result depends on: its digest is part of every fingerprint, so results
#: computed by another version of the code are never used.
SOURCES = (
    _ROOT / "analysis",
    _ROOT / "questionnaires",
    Path(__file__).resolve().parent,  # this package, without exports/
    _ROOT / "survey_app" / "models",
    _ROOT / "survey_app" / "domain" / "campaigns" / "instruments.py",
)


def cut_part(dimension: str) -> str:
    return f"cut:{dimension}"


@functools.cache
def code_digest() -> str:
    """SHA-256 over the source files that compute results (read once per process)."""
    digest = hashlib.sha256(f"result-cache {CACHE_FORMAT}\n".encode())
    files: list[Path] = []
    for source in SOURCES:
        files += [source] if source.is_file() else sorted(source.glob("*.py"))
    for path in files:
        digest.update(f"{path.relative_to(_ROOT)}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


#: Columns of the campaign that only its results' header shows; the header is made anew on
#: every read (``results.compute``), so closing a campaign or renaming it keeps its cached
#: numbers. tests/results/test_result_cache.py checks that they change no computed part.
HEADER_ONLY = frozenset({"code", "name", "starts_on", "deadline", "state"})


def _columns(row: Any, leave_out: frozenset[str] = frozenset()) -> list[Any]:
    """Every column value of an ORM row (new columns are covered without a change here)."""
    if row is None:
        return [None]
    return [[attr.key, getattr(row, attr.key)] for attr in inspect(row).mapper.column_attrs
            if attr.key not in leave_out]


def _campaign_settings(campaign: Campaign | None, leave_out: frozenset[str] = frozenset()
                       ) -> list[Any]:
    if campaign is None:
        return [None]
    targets = sorted(campaign.targets, key=lambda target: target.unit_id)
    return [_columns(campaign, leave_out), [_columns(target) for target in targets],
            _columns(campaign.instrument_version)]


def _scoring_bytes(campaign: Campaign) -> str:
    name = campaign.scoring_file or ""
    path = SCORING_DIR / name
    if Path(name).name != name or not path.is_file():
        return "missing"
    return hashlib.sha256(path.read_bytes()).hexdigest()


def settings_of(campaign: Campaign) -> list[Any]:
    """What the computation reads besides the responses, as the session gives it to it."""
    return [
        _campaign_settings(campaign, HEADER_ONLY),
        _campaign_settings(campaign.previous_campaign),
        [_columns(unit) for unit in db.session.scalars(select(Unit).order_by(Unit.id))],
        [_columns(counter) for counter in db.session.scalars(select(Counter)
                                                              .order_by(Counter.id))],
        [_columns(link) for link in db.session.scalars(select(UnitSuccession)
                                                        .order_by(UnitSuccession.id))],
        _scoring_bytes(campaign),
    ]


def revisions(connection: Connection, campaign_ids: Iterable[int]) -> list[list[int]]:
    """The revision counters of the campaigns' responses, per unit, in key order."""
    ids = sorted(set(campaign_ids))
    query = (select(ResultRevision.campaign_id, ResultRevision.unit_id, ResultRevision.revision)
             .where(ResultRevision.campaign_id.in_(ids))
             .order_by(ResultRevision.campaign_id, ResultRevision.unit_id))
    return [[int(value) for value in row] for row in connection.execute(query)]


def fingerprint(connection: Connection, campaign: Campaign) -> str:
    """The key of the campaign's results now: revisions (read on the computation's
    ``connection``, so in its snapshot), settings and code."""
    ids = [campaign.id] + ([campaign.previous_campaign_id]
                           if campaign.previous_campaign_id is not None else [])
    content = json.dumps([code_digest(), revisions(connection, ids), settings_of(campaign)],
                         default=str, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(content.encode()).hexdigest()


def encode(value: Any) -> bytes:
    return zlib.compress(json.dumps(value, separators=(",", ":")).encode(), 1)


def decode(payload: bytes) -> Any:
    return json.loads(zlib.decompress(payload))


def load(connection: Connection, campaign_id: int, parts: Iterable[str], key: str
         ) -> dict[str, Any]:
    """The stored parts computed for fingerprint ``key`` (a fresh copy of each)."""
    query = (select(ResultCache.part, ResultCache.payload)
             .where(ResultCache.campaign_id == campaign_id,
                    ResultCache.part.in_(list(parts)), ResultCache.fingerprint == key))
    return {part: decode(payload) for part, payload in connection.execute(query)}


@contextmanager
def _writer(engine: Engine | None = None) -> Iterator[Connection]:
    """A short write transaction of its own (never the request's session)."""
    with (engine or db.engine).connect() as connection:
        if connection.dialect.name != "sqlite":
            with connection.begin():
                yield connection
            return
        # On the driver's connection: a statement through SQLAlchemy would begin the
        # (deferred) transaction before BEGIN IMMEDIATE.
        raw = connection.connection.driver_connection
        busy = raw.execute("PRAGMA busy_timeout").fetchone()[0]
        raw.execute(f"PRAGMA busy_timeout = {STORE_BUSY_MS}")
        try:
            with connection.execution_options(sqlite_begin="IMMEDIATE").begin():
                yield connection
        finally:
            raw.execute(f"PRAGMA busy_timeout = {int(busy)}")


def _upsert(dialect: str) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(ResultCache.__table__)


@dataclass(frozen=True)
class _Parts:
    """Computed parts waiting to be written: part → (fingerprint, payload, seconds)."""

    engine: Engine
    campaign_id: int
    payloads: dict[str, tuple[str, bytes, float]]


def store(campaign_id: int, key: str, computed: dict[str, tuple[Any, float]]
          ) -> dict[str, Any]:
    """Store freshly computed parts (value, seconds) under ``key``; return them as a reader
    of the cache would get them (JSON types), so a first view equals every later one.

    While the session has a transaction open, the parts are written when it ends: a write
    from another connection meanwhile would make SQLite refuse the session's own later
    writes ("database is locked": its read snapshot would be stale). A part that cannot be
    stored (the database busy for more than a second, the campaign deleted meanwhile) is
    simply computed again next time.
    """
    return store_keyed(campaign_id, {part: (key, value, seconds)
                                     for part, (value, seconds) in computed.items()})


def store_keyed(campaign_id: int, computed: dict[str, tuple[str, Any, float]]
                ) -> dict[str, Any]:
    """:func:`store` with a fingerprint of its own per part: part → (key, value, seconds)."""
    payloads = {part: (key, encode(value), float(seconds))
                for part, (key, value, seconds) in computed.items()}
    if payloads:
        parts = _Parts(db.engine, campaign_id, payloads)
        held = _HELD.get()
        if held is not None:
            held.append(parts)
        else:
            _hand_over(parts)
    return {part: decode(payload) for part, (_, payload, _) in payloads.items()}


_HELD: ContextVar[list[_Parts] | None] = ContextVar("result_cache_held", default=None)


@contextmanager
def held() -> Iterator[None]:
    """Parts stored inside are written when the block ends: a computation's read snapshot
    is closed by then (on SQLite without WAL an open reader would make the write wait)."""
    token = _HELD.set([])
    try:
        yield
        parts = _HELD.get() or []
    finally:
        _HELD.reset(token)
    for each in parts:
        _hand_over(each)


def _hand_over(parts: _Parts) -> None:
    """Write now, or when the session's open transaction ends."""
    session = db.session()
    if session.in_transaction():
        session.info.setdefault(PENDING, []).append(parts)
    else:
        _write(parts)


def load_keyed(connection: Connection, campaign_id: int, keys: dict[str, str]
               ) -> dict[str, Any]:
    """The stored parts whose fingerprint is the one given for each in ``keys``, and those
    computed by this computation and not written yet (``held``): a second part reading the
    same per-unit tables (the levels after the units) does not count them again."""
    if not keys:
        return {}
    query = (select(ResultCache.part, ResultCache.fingerprint, ResultCache.payload)
             .where(ResultCache.campaign_id == campaign_id,
                    ResultCache.part.in_(list(keys))))
    found = {part: decode(payload) for part, key, payload in connection.execute(query)
             if keys.get(part) == key}
    return found | _waiting(campaign_id, keys)


def _waiting(campaign_id: int, keys: dict[str, str]) -> dict[str, Any]:
    """The parts of ``keys`` stored in this context but not written yet, with their key."""
    waiting = [*(_HELD.get() or []), *db.session().info.get(PENDING, ())]
    return {part: decode(payload) for parts in waiting if parts.campaign_id == campaign_id
            for part, (key, payload, _) in parts.payloads.items() if keys.get(part) == key}


PENDING = "result_cache_pending"


@event.listens_for(Session, "after_transaction_end")
def _write_pending(session: Session, transaction: Any) -> None:
    if transaction.parent is not None:
        return
    for parts in session.info.pop(PENDING, ()):
        _write(parts)


def _write(parts: _Parts) -> None:
    try:
        with _writer(parts.engine) as connection:
            statement = _upsert(connection.dialect.name)
            now = utcnow()
            for part, (key, payload, seconds) in parts.payloads.items():
                values = {"campaign_id": parts.campaign_id, "part": part,
                          "fingerprint": key, "payload": payload, "computed_at": now,
                          "seconds": seconds}
                connection.execute(statement.values(**values).on_conflict_do_update(
                    index_elements=["campaign_id", "part"],
                    set_={name: values[name] for name in
                          ("fingerprint", "payload", "computed_at", "seconds")}))
    except SQLAlchemyError as error:
        log.warning("Results of campaign %s not cached: %s", parts.campaign_id, error)


def forget(campaign_id: int | None = None) -> int:
    """Drop the stored parts of one campaign (or all); the number of parts dropped."""
    with _writer() as connection:
        statement = ResultCache.__table__.delete()
        if campaign_id is not None:
            statement = statement.where(ResultCache.campaign_id == campaign_id)
        return connection.execute(statement).rowcount or 0
