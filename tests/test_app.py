"""The application factory, its configuration sources, and the pages every install has."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from survey_app import create_app
from survey_app.database import write_transaction
from survey_app.domain.operations.seeding import seed_demo
from survey_app.extensions import db
from survey_app.support.dates import today_local
from tests.support import app_config


def test_environment_variables_override_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEY_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    monkeypatch.setenv("SURVEY_SECRET_KEY", "123456789")
    monkeypatch.setenv("SURVEY_PUBLIC_BASE_URL", "https://khaosat.vancanh.gov.vn")
    monkeypatch.setenv("SURVEY_RATELIMIT_ENABLED", "false")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.sqlite3")
    assert app.config["SECRET_KEY"] == "123456789"  # a string, even when it looks numeric
    assert app.config["PUBLIC_BASE_URL"] == "https://khaosat.vancanh.gov.vn"
    assert app.config["RATELIMIT_ENABLED"] is False


def test_postgres_urls_use_the_shipped_driver(monkeypatch):
    # Engines connect lazily: nothing is contacted here.
    monkeypatch.setenv("SURVEY_DATABASE_URL", "postgresql://postgres@db.local/khaosat")
    monkeypatch.setenv("SURVEY_SECRET_KEY", "k")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == \
        "postgresql+psycopg://postgres@db.local/khaosat"


def test_production_requires_a_secret_key_and_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEY_DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite3'}")
    monkeypatch.setenv("SURVEY_PRODUCTION", "true")
    monkeypatch.delenv("SURVEY_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SURVEY_SECRET_KEY"):
        create_app()
    monkeypatch.setenv("SURVEY_SECRET_KEY", "a-long-random-value")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_test_config_wins_over_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEY_PUBLIC_BASE_URL", "https://sai.example")
    app = create_app(app_config(f"sqlite:///{tmp_path / 'x.sqlite3'}"))
    assert app.config["PUBLIC_BASE_URL"] == "https://khaosat.example.vn"
    assert app.testing


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000


def test_write_transactions_take_the_sqlite_lock_up_front(app, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite locking")
    import sqlite3
    path = db.engine.url.database
    with write_transaction() as session:
        session.execute(text("SELECT 1"))
        other = sqlite3.connect(path, timeout=0)
        # Another writer is refused at once: this transaction already holds the write lock.
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()


def test_old_sqlite_libraries_are_reported(app, caplog, monkeypatch):
    from survey_app import database
    monkeypatch.setattr(database.sqlite3, "sqlite_version", "3.40.1")
    with caplog.at_level(logging.INFO, logger="survey_app.database"):
        assert database.log_sqlite_version() == (3, 40, 1)
    assert "older than 3.51.3" in caplog.text


def test_home_page_lists_demo_units_and_survey_links(database_url):
    app = create_app(app_config(database_url, SHOW_DEMO_LINKS=True))
    with app.app_context():
        seed_demo(today_local())
        db.session.commit()
        page = app.test_client().get("/").get_data(as_text=True)
        assert "Xã Vân Canh" in page and "Sở Nông nghiệp và Môi trường" in page
        # a counter for each of 20 departments, 130 communes and wards but Vân Canh (surveyed
        # at its divisions' counters), and its 4 divisions
        assert page.count('href="https://khaosat.example.vn/s/') == 20 + 130 - 1 + 4
        db.session.remove()
        db.engine.dispose()


def test_home_page_hides_counter_links_on_a_real_install(client, runner):
    runner.invoke(args=["seed-demo", "--responses", "0"])
    page = client.get("/").get_data(as_text=True)
    assert "/s/" not in page
    assert "Khảo sát sự hài lòng" in page


def test_unknown_pages_get_a_vietnamese_404(client):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Không tìm thấy trang" in page and 'lang="vi"' in page


def test_every_page_carries_the_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
