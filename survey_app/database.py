"""Database engine hygiene: SQLite pragmas, BEGIN IMMEDIATE writes, no connection across fork."""

from __future__ import annotations

import logging
import os
import sqlite3
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from .extensions import db

log = logging.getLogger(__name__)

#: Versions before this can corrupt a WAL database when several processes write and
#: checkpoint at once (the "WAL-reset" bug fixed in SQLite 3.51.3).
SQLITE_SAFE_VERSION = (3, 51, 3)

_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def init_app(app: Flask) -> None:
    """Attach the SQLite settings to the app's engines; under ``flask run``, the start-up
    notes (gunicorn shows them from gunicorn.conf.py, once in its master process)."""
    with app.app_context():
        for engine in db.engines.values():
            _engines.add(engine)
            if engine.dialect.name == "sqlite":
                _configure_sqlite(engine, app.config)
    if _serving_with_flask_run():
        startup_notes(app)


def _serving_with_flask_run() -> bool:
    """Whether this app is being loaded by ``flask run`` (not by any other command)."""
    import click

    context = click.get_current_context(silent=True)
    return context is not None and context.command.name == "run"


def startup_notes(app: Flask) -> None:
    """Said once when a server starts: the SQLite library's version when it is unsafe.

    Not before every command (issue 12); ``flask --app wsgi doctor`` says it too.
    """
    with app.app_context():
        if any(engine.dialect.name == "sqlite" for engine in db.engines.values()):
            log_sqlite_version()


def _configure_sqlite(engine: Engine, config: Any) -> None:
    busy_ms = int(float(config["SQLITE_BUSY_TIMEOUT"]) * 1000)
    synchronous = config.get("SQLITE_SYNCHRONOUS", "FULL")

    def on_connect(dbapi_connection: sqlite3.Connection, record: Any) -> None:
        # Transactions are begun explicitly below, so pysqlite must not begin its own.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA synchronous = {synchronous}")
        cursor.close()

    def on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "begin", on_begin)


def log_sqlite_version() -> tuple[int, ...]:
    """Log the SQLite library in use; warn when it predates the WAL-reset fix."""
    version = tuple(int(part) for part in sqlite3.sqlite_version.split("."))
    if version < SQLITE_SAFE_VERSION:
        log.warning("SQLite %s is older than 3.51.3, which fixes a WAL-reset bug that can "
                    "corrupt a database written by several processes at once; prefer "
                    "PostgreSQL for a multi-worker production server.", sqlite3.sqlite_version)
    else:
        log.info("SQLite %s", sqlite3.sqlite_version)
    return version


@contextmanager
def write_transaction() -> Iterator[Session]:
    """One write transaction, committed on success; on SQLite it takes the lock up front.

    A deferred SQLite transaction that reads and then writes can fail at once with
    "database is locked" when another process wrote meanwhile; BEGIN IMMEDIATE waits
    for the lock (busy_timeout) instead.
    """
    session = db.session()  # the request's Session itself, not the scoped proxy
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("write_transaction() entered with unsaved changes in the session")
    if session.in_transaction():
        session.rollback()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def _dispose_after_fork() -> None:
    # A pooled connection inherited from the parent must never be used by the child.
    for engine in list(_engines):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_dispose_after_fork)
