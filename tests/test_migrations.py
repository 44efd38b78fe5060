"""Migrations build the whole schema on an empty database, match the models, and undo cleanly."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy.engine import make_url

from survey_app import create_app
from survey_app.extensions import db
from tests.support import POSTGRES_URL, REQUIRE_POSTGRES, app_config


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """A database with no tables at all."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    server = make_url(POSTGRES_URL)
    name = f"survey_migrations_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as error:
        admin.dispose()
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL not reachable: {error.orig}")
        pytest.skip(f"PostgreSQL not reachable at {server.render_as_string()}: {error.orig}")
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_upgrade_builds_everything_check_is_clean_and_downgrade_undoes_it(empty_database):
    app = create_app(app_config(empty_database))
    with app.app_context():
        assert table_names() == set(), "the factory must never create tables itself"
        upgrade()
        model_tables = {table.name for table in db.metadata.sorted_tables}
        assert table_names() == model_tables | {"alembic_version"}
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []
        downgrade(revision="base")
        assert table_names() == {"alembic_version"}
        upgrade()
        assert table_names() == model_tables | {"alembic_version"}
        db.engine.dispose()


def test_the_factory_serves_without_touching_the_schema(empty_database):
    app = create_app(app_config(empty_database))
    app.test_client().get("/")
    with app.app_context():
        assert table_names() == set()
        db.engine.dispose()
