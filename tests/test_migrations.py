"""Migrations build the whole schema on an empty database, match the models, and undo cleanly."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

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


def insert_instrument(connection) -> None:
    """Instrument version 1, which the campaigns of these tests use."""
    connection.exec_driver_sql(
        "INSERT INTO instrument_version (id, code, version, title, definition, digest, "
        "created_at) VALUES (1, 'thu', 1, 'Thử', '{}', 'x', '2026-12-01 08:00:00')")


def insert_campaign(connection, number: int = 1, code: str = "dot", state: str = "open"
                    ) -> None:
    """A campaign row as the schema has it from 0002 on (instrument version 1)."""
    connection.exec_driver_sql(
        "INSERT INTO campaign (id, code, name, instrument_version_id, starts_on, deadline, "
        "headline_method, valid_threshold, margin_of_error, optional_blocks, scoring_file, "
        "state, created_at, weighting, min_compare_responses) VALUES "
        f"({number}, '{code}', 'Đợt', 1, '2026-11-01', '2026-12-31', 'pooled', 0.5, 0.05, "
        f"'[]', 'x', '{state}', '2026-11-01 08:00:00', 'respondent', 30)")


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
            insert_instrument(connection)
            connection.exec_driver_sql(
                "INSERT INTO unit (id, code, name, kind, is_active, created_at) "
                "VALUES (1, 'xa', 'Xã', 'commune', true, '2026-12-01 08:00:00')")
            insert_campaign(connection)
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
            insert_instrument(connection)
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
            insert_instrument(connection)
            connection.exec_driver_sql(
                "INSERT INTO unit (id, code, name, kind, is_active, created_at) "
                "VALUES (1, 'xa', 'Xã', 'commune', true, '2026-12-01 08:00:00')")
            insert_campaign(connection)
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


def utc_text(value) -> str | None:
    """A raw timestamp (text on SQLite, an aware datetime on PostgreSQL) as UTC text."""
    if value is None:
        return None
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%d %H:%M}"


def test_campaigns_already_closed_learn_when_from_the_audit_log(empty_database):
    """0012 gives a closed or approved campaign the moment of its last closing in the audit
    log (the citizen's page then says it ended early, and on which day)."""
    app = create_app(app_config(empty_database))
    with app.app_context():
        upgrade(revision="0008")
        with db.engine.begin() as connection:
            insert_instrument(connection)
            for number, (code, state) in enumerate(
                    [("dong", "closed"), ("duyet", "approved"), ("mo", "open")], 1):
                insert_campaign(connection, number, code, state)
            events = [("dong", "2026-11-10 03:00:00", "closed"),
                      ("dong", "2026-11-11 03:00:00", "open"),
                      ("dong", "2026-11-20 17:30:00", "closed"),  # the last closing
                      ("duyet", "2026-11-25 09:00:00", "closed"),
                      ("duyet", "2026-11-26 09:00:00", "approved"),
                      ("mo", "2026-11-05 09:00:00", "closed")]  # reopened since: no date
            for code, at, state in events:
                connection.exec_driver_sql(
                    "INSERT INTO audit_event (at, action, object_type, object_id, after) "
                    f"VALUES ('{at}', 'campaign.state', 'campaign', '{code}', "
                    f"'{{\"state\": \"{state}\"}}')")
        upgrade()
        with db.engine.connect() as connection:
            closed = dict(connection.exec_driver_sql("SELECT code, closed_at FROM campaign").all())
        assert {code: utc_text(at) for code, at in closed.items()} == {
            "dong": "2026-11-20 17:30", "duyet": "2026-11-25 09:00", "mo": None}
        downgrade(revision="0008")
        with db.engine.connect() as connection:
            assert "closed_at" not in {column["name"] for column in
                                       sa.inspect(connection).get_columns("campaign")}
        db.engine.dispose()


def test_the_unit_tree_migration_renames_kinds_and_finds_organisers_both_ways(empty_database):
    """0010: "agency" units become departments, a campaign gets the unit above all of its
    units as organiser (none without one), admins' and viewers' meaningless unit links go
    (they saw every unit and still do); its downgrade gives the older kinds back."""
    app = create_app(app_config(empty_database))
    with app.app_context():
        upgrade(revision="0008")
        with db.engine.begin() as connection:
            run = connection.exec_driver_sql
            insert_instrument(connection)
            run("INSERT INTO unit (id, code, name, kind, parent_id, is_active, created_at) VALUES "
                "(1, 'huyen', 'Huyện', 'district', NULL, true, '2026-12-01 08:00:00'), "
                "(2, 'p-tu-phap', 'Phòng Tư pháp', 'agency', 1, true, '2026-12-01 08:00:00'), "
                "(3, 'xa-a', 'Xã A', 'commune', 1, true, '2026-12-01 08:00:00'), "
                "(4, 'xa-le', 'Xã Lẻ', 'commune', NULL, true, '2026-12-01 08:00:00')")
            for campaign_id, code in ((1, "huyen"), (2, "le")):
                run("INSERT INTO campaign (id, code, name, instrument_version_id, starts_on, "
                    "deadline, headline_method, valid_threshold, margin_of_error, "
                    "optional_blocks, scoring_file, state, created_at, weighting, "
                    f"min_compare_responses) VALUES ({campaign_id}, '{code}', 'Đợt', 1, "
                    "'2021-01-01', '2021-12-20', 'pooled', 0.5, 0.05, '[]', 'x', 'closed', "
                    "'2026-12-01 08:00:00', 'respondent', 30)")
            # campaign 1: two units of the district; campaign 2: one of them and a lone commune
            run("INSERT INTO campaign_unit (campaign_id, unit_id) VALUES (1, 2), (1, 3), (2, 3), "
                "(2, 4)")
            run("INSERT INTO staff_user (id, username, full_name, password_hash, role, active, "
                "session_token, must_change_password, created_at, password_changed_at) VALUES "
                "(1, 'qt', 'QT', 'x', 'admin', true, 't1', false, '2026-12-01 08:00:00', "
                "'2026-12-01 08:00:00'), (2, 'cb', 'CB', 'x', 'unit_staff', true, 't2', false, "
                "'2026-12-01 08:00:00', '2026-12-01 08:00:00')")
            run("INSERT INTO user_unit (user_id, unit_id) VALUES (1, 3), (2, 3)")
        upgrade()
        with db.engine.connect() as connection:
            kinds = dict(connection.exec_driver_sql("SELECT code, kind FROM unit").all())
            organisers = dict(connection.exec_driver_sql(
                "SELECT code, organiser_id FROM campaign").all())
            links = connection.exec_driver_sql("SELECT user_id, unit_id FROM user_unit").all()
        assert kinds == {"huyen": "district", "p-tu-phap": "department", "xa-a": "commune",
                         "xa-le": "commune"}
        assert organisers == {"huyen": 1, "le": None}
        assert [tuple(link) for link in links] == [(2, 3)]
        with db.engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO unit (id, code, name, kind, is_active, "
                                       "created_at) VALUES (5, 'tinh', 'Tỉnh', 'province', true, "
                                       "'2026-12-01 08:00:00'), (6, 'bp', 'Bộ phận', 'division', "
                                       "true, '2026-12-01 08:00:00')")
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
            connection.exec_driver_sql("UPDATE unit SET kind = 'agency' WHERE id = 2")
        downgrade(revision="0008")
        with db.engine.connect() as connection:
            kinds = dict(connection.exec_driver_sql("SELECT code, kind FROM unit").all())
            columns = {c["name"] for c in sa.inspect(connection).get_columns("campaign")}
        assert kinds == {"huyen": "district", "p-tu-phap": "agency", "xa-a": "commune",
                         "xa-le": "commune", "tinh": "district", "bp": "agency"}
        assert "organiser_id" not in columns
        db.engine.dispose()


def test_unit_history_keeps_every_unit_and_response_both_ways(empty_database):
    """0011 adds the validity dates (SQLite rebuilds the unit table on the way down: with
    foreign keys on, that would take the units' counters and responses with it) and the
    "became" links; the downgrade drops the links and dates, never a unit."""
    app = create_app(app_config(empty_database))
    with app.app_context():
        upgrade(revision="0008")
        with db.engine.begin() as connection:
            insert_instrument(connection)
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
