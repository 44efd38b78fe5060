"""Configuration: defaults here, then ``instance/config.py``, then ``SURVEY_*`` variables.

Nothing is read at import time; ``load_config`` runs inside the factory.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask


class DefaultConfig:
    """Settings that suit a single machine running SQLite; override per deployment."""

    #: ``SURVEY_DATABASE_URL``; empty means the embedded SQLite file in the instance folder.
    DATABASE_URL = ""
    #: Where printed QR codes point, e.g. https://khaosat.vancanh.gov.vn (no trailing slash).
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    #: True on a real deployment behind HTTPS: Secure cookies, HSTS, secret key required.
    PRODUCTION = False
    #: Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
    PROXY_COUNT = 0
    #: The PDF report's letterhead (docs/exports.md): the governing body, the issuing office,
    #: the place name on the date line and the signer's title, e.g. "UBND TỈNH GIA LAI",
    #: "SỞ NỘI VỤ", "Gia Lai", "GIÁM ĐỐC". Empty: a generic letterhead to fill in by hand.
    REPORT_AUTHORITY = ""
    REPORT_OFFICE = ""
    REPORT_PLACE = ""
    REPORT_SIGNER = ""
    #: Local time zone used for deadlines and for dates shown to people.
    TIMEZONE = "Asia/Ho_Chi_Minh"
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    #: Show the demo's units and counter links on the home page (``make run`` turns it on).
    SHOW_DEMO_LINKS = False
    #: Largest request body accepted anywhere (CSV imports); the public form sets its own.
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    #: Responses imported on the campaign page (docs/import.md): the largest file, and the
    #: folder where a checked file waits for its confirmation (empty: ``instance/imports``).
    IMPORT_MAX_UPLOAD = 8 * 1024 * 1024
    IMPORT_FOLDER = ""
    #: Results whose parts are not cached are computed in a background thread behind a
    #: progress bar (docs/exports.md); a request first waits this long for them.
    RESULTS_IN_BACKGROUND = True
    RESULTS_WAIT_SECONDS = 2.0
    #: Scanned sheets (staff.scans, docs/paper-sheets.md): the largest upload, the most pages
    #: read in one upload (about a quarter of a second each, within gunicorn's timeout) and
    #: the resolution PDF pages are rendered at to be read.
    SCAN_MAX_UPLOAD = 40 * 1024 * 1024
    SCAN_MAX_PAGES = 60
    SCAN_DPI = 200
    #: Rate limiting (Flask-Limiter); ``SURVEY_RATELIMIT_STORAGE_URI=redis://…`` across workers.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    #: A rate-limit store that is down must not turn the citizen form into an error page.
    RATELIMIT_SWALLOW_ERRORS = True
    #: Citizen form (docs/public-form.md). Loose per-address limit on submissions: people
    #: share carrier NAT and office Wi-Fi.
    PUBLIC_RATE_LIMIT = "30 per minute"
    #: Largest body the citizen form accepts (a 2,000-character Vietnamese comment fits).
    PUBLIC_MAX_BODY = 32 * 1024
    #: ODK Collect / KoboCollect (docs/odk.md): the largest submission accepted, announced
    #: to the client as X-OpenRosa-Accept-Content-Length. An instance of the shipped forms
    #: is a few kilobytes; the forms have no photo or audio question.
    OPENROSA_MAX_BODY = 1024 * 1024
    #: One phone, one counter: a repeat response within this window is refused.
    DEVICE_REPEAT_MINUTES = 30
    #: Kiosk tablets: a new response from the same tablet within this many seconds is refused.
    KIOSK_GUARD_SECONDS = 5
    #: Bursts (domain/submissions/bursts.py): beyond these counts within the window, responses are
    #: stored flagged. The rules that point at one source or one answer pattern flag the
    #: earlier responses of the burst too; the plain volume rule (per counter) does not.
    BURST_WINDOW_MINUTES = 10
    #: QR responses from one client hash at one counter (kiosks are one client by design).
    BURST_PER_CLIENT_AT_COUNTER = 3
    #: QR and kiosk responses at one counter with identical item answers.
    BURST_SAME_ANSWERS = 3
    #: QR and kiosk responses at one counter whose ratings are all one value (any value);
    #: above the previous one: many genuine people tick "Hài lòng" all the way down.
    BURST_STRAIGHT_LINE = 4
    #: QR responses from one client hash at any counters (carrier NAT, office Wi-Fi).
    BURST_PER_CLIENT = 15
    #: Responses at one counter, whatever their source: only those beyond it are flagged.
    BURST_PER_COUNTER = 30
    #: JSON API (docs/api.md): requests per token (or per client address without a token).
    API_RATE_LIMIT = "120 per minute"
    #: Largest body the API accepts (one response with a long comment fits many times over).
    API_MAX_BODY = 64 * 1024
    #: Raw responses per page when the client does not say (``limit``, at most 1,000).
    API_PAGE_SIZE = 200
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "khaosat_session"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = 4 * 3600
    #: Staff login throttling (domain/accounts/login_throttle.py), shared through the database:
    #: this many failures per account within the window → wait LOGIN_LOCKOUT_MINUTES.
    LOGIN_FAILURE_LIMIT = 5
    LOGIN_FAILURE_WINDOW_MINUTES = 15
    LOGIN_LOCKOUT_MINUTES = 5
    #: Failures from one client address (over any accounts) within the window.
    LOGIN_CLIENT_FAILURE_LIMIT = 20
    #: Argon2id cost (OWASP: m=19 MiB, t=2, p=1 as the minimum).
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST = 19 * 1024
    ARGON2_PARALLELISM = 1
    #: SQLite: seconds a writer waits for the lock before giving up.
    SQLITE_BUSY_TIMEOUT = 15


def load_config(app: Flask, test_config: dict | None) -> None:
    """Fill ``app.config`` from defaults, the instance file and ``SURVEY_*`` variables."""
    app.config.from_object(DefaultConfig)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("SURVEY")
    else:
        app.config.from_mapping(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = _database_uri(app)
    app.config["SECRET_KEY"] = _secret_key(app)
    if app.config["PRODUCTION"]:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"


def _database_uri(app: Flask) -> str:
    url = app.config.get("DATABASE_URL") or app.config.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{Path(app.instance_path) / 'survey.sqlite3'}"
    if url.startswith(("postgres://", "postgresql://")):
        # psycopg 3 is the driver we ship; plain URLs default to psycopg2.
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _secret_key(app: Flask) -> str:
    """The configured key; on a development machine, one kept in the instance folder."""
    key = app.config.get("SECRET_KEY")
    if key:
        return str(key)
    if app.config["PRODUCTION"]:
        raise RuntimeError("SURVEY_SECRET_KEY must be set in production")
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        os.chmod(path, 0o600)
    return path.read_text().strip()
