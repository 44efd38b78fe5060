"""Start-up: the app imports without the heavy libraries, says its notes once, checks itself.

Importing ``wsgi`` used to take 4–6 s (pandas, scipy, openpyxl, ReportLab… at import), for
every ``flask`` command and every gunicorn worker. Which modules an imported app has loaded
is behaviour, not timing: checked here in a fresh interpreter. The times themselves are in
bench/bench_startup.py and docs/benchmarks.md.
"""

from __future__ import annotations

import json
import logging
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from survey_app import create_app
from survey_app.extensions import db
from tests.support import app_config

ROOT = Path(__file__).resolve().parent.parent
#: Imported only by the work that needs them (results, files, paper reading, XLSForm).
HEAVY = ("pandas", "numpy", "scipy", "matplotlib", "reportlab", "openpyxl", "cv2",
         "pypdfium2", "zxingcpp", "pyxform", "PIL", "qrcode", "alembic", "flask_migrate")


def _loaded_after(code: str, tmp_path: Path) -> list[str]:
    script = (f"import sys\n{code}\n"
              f"print(__import__('json').dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    env = {"PATH": "/usr/bin:/bin", "SURVEY_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
           "SURVEY_SECRET_KEY": "startup-test-key-0123456789abcdef0123456789"}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_app_loads_no_heavy_library(tmp_path):
    assert _loaded_after("import wsgi", tmp_path) == []


def test_the_whole_url_map_and_every_command_load_no_heavy_library(tmp_path):
    """Every view module and command module is imported by then; a top-level heavy import
    in any of them would show here."""
    code = ("import wsgi\nwsgi.app.url_map\n"
            "names = sorted(wsgi.app.cli.list_commands(None))\nassert 'db' in names\n"
            "assert 'doctor' in names and 'recount' in names")
    assert _loaded_after(code, tmp_path) == []


def test_the_heavy_libraries_come_when_their_work_does(tmp_path):
    code = ("import wsgi\nfrom survey_app.domain.results import results\n"
            "from survey_app.domain.results.exports import write_workbook")
    loaded = _loaded_after(code, tmp_path)
    assert {"pandas", "numpy", "openpyxl"} <= set(loaded)


def test_migrations_still_run_through_the_lazy_db_group(app, runner):
    outcome = runner.invoke(args=["db", "current"])
    assert outcome.exit_code == 0, outcome.output
    assert "Context impl" in outcome.output  # Alembic ran (it prints the revision itself)
    assert "upgrade" in runner.invoke(args=["db", "--help"]).output


def test_the_sqlite_warning_is_not_said_by_every_command(database_url, caplog, monkeypatch):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only")
    from survey_app import database
    monkeypatch.setattr(database.sqlite3, "sqlite_version", "3.40.1")
    with caplog.at_level(logging.INFO, logger="survey_app.database"):
        app = create_app(app_config(database_url))
        with app.app_context():
            assert app.test_cli_runner().invoke(args=["counter-links"]).exit_code == 0
            db.session.remove()
            db.engine.dispose()
    assert "older than 3.51.3" not in caplog.text
    with caplog.at_level(logging.INFO, logger="survey_app.database"):
        database.startup_notes(app)  # what flask run and gunicorn.conf.py call, once
    assert "older than 3.51.3" in caplog.text


# ------------------------------------------------------------------------------- doctor


def _doctor(database_url: str, **overrides):
    config = {"SECRET_KEY": secrets.token_hex(32), **overrides}
    app = create_app(app_config(database_url, **config))
    with app.app_context():
        try:
            return app.test_cli_runner().invoke(args=["doctor"])
        finally:
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()


def test_doctor_finds_nothing_wrong_with_a_sound_installation(database_url):
    outcome = _doctor(database_url, PRODUCTION=True, RATELIMIT_ENABLED=False)
    assert outcome.exit_code == 0, outcome.output
    assert "✓ Cơ sở dữ liệu: kết nối được" in outcome.output
    assert "✓ Lược đồ: đã cập nhật" in outcome.output
    assert "✓ Phông chữ" in outcome.output
    assert "✓ Khóa bí mật: đã đặt." in outcome.output
    assert "Không có vấn đề nào" in outcome.output


def test_doctor_names_each_problem_in_vietnamese_and_fails(database_url):
    outcome = _doctor(database_url, PRODUCTION=True, SECRET_KEY="ngan",
                      PUBLIC_BASE_URL="http://127.0.0.1:5000",
                      RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    assert outcome.exit_code == 1
    assert "✗ Khóa bí mật: SURVEY_SECRET_KEY quá ngắn (4 ký tự" in outcome.output
    assert "✗ Địa chỉ công khai: “http://127.0.0.1:5000” phải dùng https://" in outcome.output
    assert "✗ Redis: không kết nối được redis://127.0.0.1:1/0" in outcome.output
    assert "Có 3 vấn đề cần sửa" in outcome.output


def test_doctor_says_when_the_database_is_not_migrated_or_not_reachable(tmp_path):
    outcome = _doctor(f"sqlite:///{tmp_path / 'trong.sqlite3'}")
    assert outcome.exit_code == 1
    assert "chưa có bảng nào. Chạy: flask --app wsgi db upgrade" in outcome.output
    outcome = _doctor("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert outcome.exit_code == 1
    assert "✗ Cơ sở dữ liệu: không kết nối được" in outcome.output


def test_doctor_warns_about_an_old_sqlite_and_a_test_setup(database_url, monkeypatch):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only")
    from survey_app.domain.operations import doctor
    monkeypatch.setattr(doctor.sqlite3, "sqlite_version", "3.40.1")
    outcome = _doctor(database_url)
    assert outcome.exit_code == 0, outcome.output
    assert "! SQLite: thư viện SQLite 3.40.1 cũ hơn 3.51.3" in outcome.output
    assert "! Khóa bí mật: SURVEY_PRODUCTION chưa bật" in outcome.output
    assert "Không có vấn đề nào (2 lưu ý)." in outcome.output


def test_doctor_names_a_database_from_a_version_this_code_does_not_know(database_url):
    # A database upgraded by newer (or other) code: its revision is in no migration here, and
    # "db upgrade" cannot help; doctor says so instead of suggesting it.
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    outcome = _doctor(database_url)
    assert outcome.exit_code == 1
    assert "✗ Lược đồ: cơ sở dữ liệu ở phiên bản 0099 mà mã nguồn này không biết" in outcome.output
    assert "db upgrade" not in outcome.output.split("Lược đồ", 1)[1].splitlines()[0]
