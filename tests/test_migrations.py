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


def test_undoing_the_burst_signals_keeps_every_response_and_answer(empty_database):
    """0003's downgrade drops its columns in place: SQLite's copy-and-drop of the response
    table would cascade-delete the answers."""
    app = create_app(app_config(empty_database))
    with app.app_context():
        upgrade()
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO instrument_version (id, code, version, title, definition, digest, "
                "created_at) VALUES (1, 'thu', 1, 'Thử', '{}', 'x', '2026-12-01 08:00:00')")
            connection.exec_driver_sql(
                "INSERT INTO unit (id, code, name, kind, is_active, created_at) "
                "VALUES (1, 'xa', 'Xã', 'commune', true, '2026-12-01 08:00:00')")
            connection.exec_driver_sql(
                "INSERT INTO campaign (id, code, name, instrument_version_id, starts_on, "
                "deadline, headline_method, valid_threshold, margin_of_error, optional_blocks, "
                "scoring_file, state, created_at, weighting, min_compare_responses) VALUES (1, "
                "'dot', 'Đợt', 1, '2026-11-01', '2026-12-31', 'pooled', 0.5, 0.05, '[]', 'x', "
                "'open', '2026-12-01 08:00:00', 'respondent', 30)")
            connection.exec_driver_sql(
                "INSERT INTO response (id, submission_key, payload_digest, campaign_id, unit_id, "
                "instrument_version_id, channel, respondent_type, submitted_at, received_at, "
                "n_rated, status, pattern_digest, straight_value, burst_key) VALUES (1, 'k', "
                "'d', 1, 1, 1, 'qr', 'ca_nhan', '2026-12-01 08:00:00', '2026-12-01 08:00:00', "
                "2, 'flagged', 'p', 4, 'client-counter:1')")
            connection.exec_driver_sql(
                "INSERT INTO answer (response_id, item_code, value) VALUES (1, 'a', 4), "
                "(1, 'b', 4)")
        downgrade(revision="0002")
        with db.engine.connect() as connection:
            counts = connection.exec_driver_sql(
                "SELECT (SELECT count(*) FROM response), (SELECT count(*) FROM answer)").one()
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("response")}
        assert tuple(counts) == (1, 2)
        assert not {"pattern_digest", "straight_value", "burst_key"} & columns
        upgrade()
        db.engine.dispose()


def test_upgrading_a_database_with_data_keeps_every_row(empty_database):
    """0002 rebuilds the campaign table on SQLite (batch mode): with foreign keys on, the
    old table's DROP would take the campaign's units with it."""
    app = create_app(app_config(empty_database))
    with app.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO instrument_version (id, code, version, title, definition, digest, "
                "created_at) VALUES (1, 'thu', 1, 'Thử', '{}', 'x', '2026-12-01 08:00:00')")
            connection.exec_driver_sql(
                "INSERT INTO unit (id, code, name, kind, is_active, created_at) "
                "VALUES (1, 'xa', 'Xã', 'commune', true, '2026-12-01 08:00:00')")
            connection.exec_driver_sql(
                "INSERT INTO campaign (id, code, name, instrument_version_id, starts_on, "
                "deadline, headline_method, valid_threshold, margin_of_error, optional_blocks, "
                "scoring_file, state, created_at) VALUES (1, 'dot', 'Đợt', 1, '2026-11-01', "
                "'2026-12-31', 'pooled', 0.5, 0.05, '[]', 'x', 'open', '2026-12-01 08:00:00')")
            connection.exec_driver_sql(
                "INSERT INTO campaign_unit (campaign_id, unit_id, transactions_n) "
                "VALUES (1, 1, 300)")
            connection.exec_driver_sql(
                "INSERT INTO response (id, submission_key, payload_digest, campaign_id, unit_id, "
                "instrument_version_id, channel, respondent_type, submitted_at, received_at, "
                "n_rated, status) VALUES (1, 'k', 'd', 1, 1, 1, 'qr', 'ca_nhan', "
                "'2026-12-01 08:00:00', '2026-12-01 08:00:00', 2, 'valid')")
            connection.exec_driver_sql(
                "INSERT INTO answer (response_id, item_code, value) VALUES (1, 'a', 4)")
        upgrade()
        with db.engine.connect() as connection:
            counts = connection.exec_driver_sql(
                "SELECT (SELECT count(*) FROM campaign_unit), (SELECT count(*) FROM response), "
                "(SELECT count(*) FROM answer), (SELECT weighting FROM campaign), "
                "(SELECT min_compare_responses FROM campaign)").one()
        assert tuple(counts) == (1, 1, 1, "respondent", 30)
        db.engine.dispose()


def test_the_odk_channel_keeps_every_response_both_ways(empty_database):
    """0006 rebuilds the response table on SQLite to widen its CHECK: the answers stay; its
    downgrade turns ODK responses into imports rather than losing them."""
    app = create_app(app_config(empty_database))
    with app.app_context():
        upgrade()
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO instrument_version (id, code, version, title, definition, digest, "
                "created_at) VALUES (1, 'thu', 1, 'Thử', '{}', 'x', '2026-12-01 08:00:00')")
            connection.exec_driver_sql(
                "INSERT INTO unit (id, code, name, kind, is_active, created_at) "
                "VALUES (1, 'xa', 'Xã', 'commune', true, '2026-12-01 08:00:00')")
            connection.exec_driver_sql(
                "INSERT INTO campaign (id, code, name, instrument_version_id, starts_on, "
                "deadline, headline_method, valid_threshold, margin_of_error, optional_blocks, "
                "scoring_file, state, created_at, weighting, min_compare_responses) VALUES (1, "
                "'dot', 'Đợt', 1, '2026-11-01', '2026-12-31', 'pooled', 0.5, 0.05, '[]', 'x', "
                "'open', '2026-12-01 08:00:00', 'respondent', 30)")
            connection.exec_driver_sql(
                "INSERT INTO response (id, submission_key, payload_digest, campaign_id, unit_id, "
                "instrument_version_id, channel, respondent_type, submitted_at, received_at, "
                "n_rated, status) VALUES (1, 'odk:uuid:1', 'd', 1, 1, 1, 'odk', 'ca_nhan', "
                "'2026-12-01 08:00:00', '2026-12-01 08:00:00', 1, 'valid')")
            connection.exec_driver_sql(
                "INSERT INTO answer (response_id, item_code, value) VALUES (1, 'a', 4)")
        downgrade(revision="0004")
        with db.engine.connect() as connection:
            row = connection.exec_driver_sql(
                "SELECT (SELECT channel FROM response), (SELECT count(*) FROM answer)").one()
        assert tuple(row) == ("import", 1)
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
            connection.exec_driver_sql("UPDATE response SET channel = 'odk'")
        upgrade()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("UPDATE response SET channel = 'odk'")
            row = connection.exec_driver_sql(
                "SELECT (SELECT channel FROM response), (SELECT count(*) FROM answer)").one()
        assert tuple(row) == ("odk", 1)
        db.engine.dispose()


def test_unit_history_keeps_every_unit_and_response_both_ways(empty_database):
    """0011 adds the validity dates (SQLite rebuilds the unit table on the way down: with
    foreign keys on, that would take the units' counters and responses with it) and the
    "became" links; the downgrade drops the links and dates, never a unit."""
    app = create_app(app_config(empty_database))
    with app.app_context():
        upgrade(revision="0008")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO instrument_version (id, code, version, title, definition, digest, "
                "created_at) VALUES (1, 'thu', 1, 'Thử', '{}', 'x', '2026-12-01 08:00:00')")
            connection.exec_driver_sql(
                "INSERT INTO unit (id, code, name, kind, is_active, created_at) VALUES "
                "(1, 'xa-a', 'Xã A', 'commune', true, '2026-12-01 08:00:00'), "
                "(2, 'xa-c', 'Xã C', 'commune', true, '2026-12-01 08:00:00')")
            connection.exec_driver_sql(
                "INSERT INTO counter (id, unit_id, name, token, is_active, kiosk, created_at, "
                "token_issued_at) VALUES (1, 1, 'Quầy', 't', true, false, "
                "'2026-12-01 08:00:00', '2026-12-01 08:00:00')")
        upgrade(revision="0011")
        with db.engine.begin() as connection:
            connection.exec_driver_sql("UPDATE unit SET valid_to = '2025-06-30' WHERE id = 1")
            connection.exec_driver_sql(
                "INSERT INTO unit_succession (predecessor_id, successor_id, effective_on, "
                "created_at) VALUES (1, 2, '2025-07-01', '2026-12-01 08:00:00')")
            with pytest.raises(sa.exc.IntegrityError), connection.begin_nested():
                connection.exec_driver_sql(
                    "INSERT INTO unit_succession (predecessor_id, successor_id, created_at) "
                    "VALUES (2, 2, '2026-12-01 08:00:00')")
            row = connection.exec_driver_sql(
                "SELECT valid_to, (SELECT count(*) FROM unit_succession) FROM unit "
                "WHERE id = 1").one()
        assert str(row[0]) == "2025-06-30" and row[1] == 1
        downgrade(revision="0008")
        with db.engine.connect() as connection:
            counts = connection.exec_driver_sql(
                "SELECT (SELECT count(*) FROM unit), (SELECT count(*) FROM counter)").one()
        assert tuple(counts) == (2, 1)
        assert "unit_succession" not in table_names()
        assert "valid_to" not in {column["name"] for column in sa.inspect(db.engine)
                                  .get_columns("unit")}
        upgrade()
        db.engine.dispose()
