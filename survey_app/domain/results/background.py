"""Computing the result parts a page or download needs in a background thread, with its
progress kept in the database so that any worker can report it.

A **job** computes the parts of one campaign that the cache (``result_cache``) does not hold
for the current fingerprint, one part after the other; each part is stored as soon as it is
computed, so the job's progress is "parts done / parts to compute". Its record is a row of
``result_cache`` named ``job:<id>`` (never read as a result part): any worker, on any app
server, answers the progress bar from it and, once the parts are stored, serves the page or
the file from the cache. The id is derived from the campaign, the parts and the fingerprint:
two clicks (or two people) asking for the same results while nothing changed get the same
job, and the database row admits only one runner (insert-if-absent), so nothing is computed
twice. A runner silent for ``STALE_SECONDS`` (its worker was stopped) is replaced by the
next request. Views: ``survey_app/results/preparing.py``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Connection, delete, select, update

from ...errors import DomainError
from ...extensions import db
from ...models import Campaign, ResultCache, utcnow
from . import result_cache

log = logging.getLogger(__name__)

PREFIX = "job:"
JOB_ID = re.compile(r"[0-9a-f]{32}")
#: A running job writes its record after every part; silent this long, its worker stopped.
STALE_SECONDS = 300
#: Finished jobs' records are dropped after a day (when the campaign's next job starts).
KEEP = timedelta(days=1)
FAILED = "Lỗi hệ thống khi tính kết quả."

#: Threads started by this process, by job id (for tests and an orderly wait).
_THREADS: dict[str, threading.Thread] = {}


@dataclass(frozen=True)
class Job:
    """A job's record as the progress bar reads it."""

    id: str
    campaign_id: int
    state: str  # running | done | failed
    done: int
    total: int
    message: str = ""

    @property
    def percent(self) -> int:
        return 100 if self.state == "done" or not self.total else \
            round(100 * self.done / self.total)


def parts_of(by: str | None = None, cuts: Iterable[str] = (), fingerprint: bool = False,
             levels: bool = False) -> list[str]:
    """The cache parts ``results.compute(campaign, by, fingerprint, cuts, levels=…)`` reads."""
    sections = list(dict.fromkeys([*cuts, *([by] if by else [])]))
    return [result_cache.BASE, *map(result_cache.cut_part, sections),
            *([result_cache.LEVELS] if levels else []),
            *([result_cache.EXTRAS] if fingerprint else [])]


def current_key(campaign: Campaign) -> str:
    """The fingerprint of the campaign's results now (a few small queries)."""
    with db.engine.connect() as connection:
        return result_cache.fingerprint(connection, campaign)


def missing(campaign: Campaign, parts: Sequence[str]) -> tuple[str, list[str]]:
    """The current fingerprint and those of ``parts`` the cache does not hold for it."""
    with db.engine.connect() as connection:
        key = result_cache.fingerprint(connection, campaign)
        held = set(connection.scalars(
            select(ResultCache.part).where(ResultCache.campaign_id == campaign.id,
                                           ResultCache.part.in_(list(parts)),
                                           ResultCache.fingerprint == key)))
    return key, [part for part in parts if part not in held]


def job_id(campaign_id: int, parts: Sequence[str], key: str) -> str:
    content = json.dumps([campaign_id, sorted(parts), key])
    return hashlib.sha256(content.encode()).hexdigest()[:32]


def _job(campaign_id: int, ident: str, record: dict[str, Any], updated: Any) -> Job:
    state = str(record.get("state", "running"))
    message = str(record.get("message") or "")
    if state == "running" and utcnow() - updated > timedelta(seconds=STALE_SECONDS):
        state, message = "failed", ("Việc tính kết quả bị gián đoạn (máy chủ dừng giữa chừng)."
                                    " Vui lòng thử lại.")
    return Job(ident, campaign_id, state, int(record.get("done", 0)),
               int(record.get("total", 0)), message)


def find(ident: str) -> Job | None:
    """The job with this id, or None (also for an id of the wrong shape)."""
    if not JOB_ID.fullmatch(ident or ""):
        return None
    with db.engine.connect() as connection:
        row = connection.execute(
            select(ResultCache.campaign_id, ResultCache.payload, ResultCache.computed_at)
            .where(ResultCache.part == PREFIX + ident)).first()
    if row is None:
        return None
    return _job(row.campaign_id, ident, result_cache.decode(row.payload), row.computed_at)


def _write(connection: Connection, campaign_id: int, ident: str, key: str,
           record: dict[str, Any], claim: bool = False) -> bool:
    """Insert the record if absent (``claim``) or replace it; whether it was written."""
    values = {"campaign_id": campaign_id, "part": PREFIX + ident, "fingerprint": key,
              "payload": result_cache.encode(record), "computed_at": utcnow(), "seconds": 0.0}
    if claim:
        # RETURNING, not the row count: psycopg counts a row skipped by DO NOTHING.
        statement = result_cache._upsert(connection.dialect.name).values(**values)
        return connection.execute(statement.on_conflict_do_nothing()
                                  .returning(ResultCache.part)).first() is not None
    return bool(connection.execute(
        update(ResultCache).where(ResultCache.campaign_id == campaign_id,
                                  ResultCache.part == PREFIX + ident).values(**values)).rowcount)


def _begin(connection: Connection) -> Connection:
    if connection.dialect.name == "sqlite":
        return connection.execution_options(sqlite_begin="IMMEDIATE")
    return connection


def _claim(campaign_id: int, ident: str, key: str, total: int) -> bool:
    """Whether this request is the job's runner: no record yet, or one that failed, went
    stale or finished while its parts are missing again (a store refused as busy)."""
    record = {"state": "running", "done": 0, "total": total}
    with db.engine.connect() as raw:
        connection = _begin(raw)
        with connection.begin():
            connection.execute(delete(ResultCache).where(
                ResultCache.campaign_id == campaign_id, ResultCache.part.like(PREFIX + "%"),
                ResultCache.computed_at < utcnow() - KEEP))
            if _write(connection, campaign_id, ident, key, record, claim=True):
                return True
            row = connection.execute(
                select(ResultCache.payload, ResultCache.computed_at)
                .where(ResultCache.campaign_id == campaign_id,
                       ResultCache.part == PREFIX + ident)).first()
            if row is not None and _job(campaign_id, ident, result_cache.decode(row.payload),
                                        row.computed_at).state == "running":
                return False
            return _write(connection, campaign_id, ident, key, record)


def _report(campaign_id: int, ident: str, key: str, record: dict[str, Any]) -> None:
    try:
        with db.engine.connect() as raw:
            connection = _begin(raw)
            with connection.begin():
                _write(connection, campaign_id, ident, key, record)
    except Exception:  # the progress bar lags; the computation goes on
        log.warning("Progress of result job %s not written", ident, exc_info=True)


def start(campaign: Campaign, parts: Sequence[str]) -> Job | None:
    """None when the cache holds every part; else the job computing the missing ones,
    started in a thread of this worker unless it already runs somewhere."""
    key, todo = missing(campaign, parts)
    if not todo:
        return None
    ident = job_id(campaign.id, parts, key)
    if _claim(campaign.id, ident, key, len(todo)):
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        thread = threading.Thread(target=_run, args=(app, campaign.id, ident, key, todo),
                                  name=f"results-{ident[:8]}", daemon=True)
        _THREADS[ident] = thread
        thread.start()
    return find(ident) or Job(ident, campaign.id, "running", 0, len(todo))


def wait(job: Job, seconds: float | None) -> Job:
    """The job after waiting up to ``seconds`` for this worker's thread to finish it."""
    thread = _THREADS.get(job.id)
    if thread is not None and seconds != 0:
        thread.join(seconds)
    return find(job.id) or job


def thread_of(ident: str) -> threading.Thread | None:
    """This worker's thread for the job, if it started one."""
    return _THREADS.get(ident)


def _compute_part(campaign: Campaign, part: str) -> None:
    from .results import compute  # pandas: only when something is computed

    if part == result_cache.EXTRAS:
        compute(campaign, fingerprint=True)
    elif part == result_cache.BASE:
        compute(campaign)
    elif part == result_cache.LEVELS:
        compute(campaign, levels=True)
    else:
        compute(campaign, cuts=(part.removeprefix(result_cache.cut_part("")),))


def _run(app: Flask, campaign_id: int, ident: str, key: str, parts: list[str]) -> None:
    """The thread: each part computed and stored (the session's transaction is ended after
    each, which writes it), the record updated after each."""
    record: dict[str, Any] = {"state": "running", "done": 0, "total": len(parts)}
    with app.app_context():
        try:
            for done, part in enumerate(parts, start=1):
                campaign = db.session.get(Campaign, campaign_id)
                if campaign is None:
                    raise DomainError("Đợt khảo sát không còn.")
                _compute_part(campaign, part)
                db.session.rollback()  # ends the read transaction: the part is written now
                record = {**record, "done": done}
                _report(campaign_id, ident, key, record)
            record = {**record, "state": "done"}
        except DomainError as error:
            record = {**record, "state": "failed", "message": str(error)}
        except Exception:
            log.exception("Result job %s of campaign %s failed", ident, campaign_id)
            record = {**record, "state": "failed", "message": FAILED}
        finally:
            db.session.rollback()
            _report(campaign_id, ident, key, record)
            db.session.remove()
            _THREADS.pop(ident, None)
