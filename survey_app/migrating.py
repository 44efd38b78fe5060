"""Flask-Migrate without importing it (and Alembic, ~0.2 s) unless migrations are used.

``app.extensions["migrate"]`` is what Flask-Migrate's functions (``flask_migrate.upgrade``)
and ``migrations/env.py`` read: the database, the migrations folder, Alembic's options and
the ``Migrate`` object, made here on first use. ``flask db …`` is a group that imports
Flask-Migrate's own when it runs.
"""

from __future__ import annotations

import functools
from typing import Any

from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from .support.lazy import LazyGroup


class MigrateSettings:
    """Flask-Migrate's per-app settings (its ``_MigrateConfig``), built lazily."""

    def __init__(self, db: SQLAlchemy, directory: str, **configure_args: Any):
        self.db = db
        self.directory = directory
        self.configure_args = configure_args

    @functools.cached_property
    def migrate(self) -> Any:
        from flask_migrate import Migrate

        return Migrate(db=self.db, directory=self.directory, **self.configure_args)

    @property
    def metadata(self) -> Any:
        return self.db.metadata


def init_app(app: Flask, db: SQLAlchemy, directory: str, **configure_args: Any) -> None:
    app.extensions["migrate"] = MigrateSettings(db, directory, **configure_args)
    app.cli.add_command(LazyGroup("db", "flask_migrate.cli:db",
                                  help="Perform database migrations."))
