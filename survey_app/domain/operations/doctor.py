"""``flask doctor``: what is wrong with this installation, said in Vietnamese.

Each check gives one finding: ``ok``, ``warning`` (works, but the operator should know) or
``problem`` (something will fail: the command exits non-zero). Nothing is changed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ...database import SQLITE_SAFE_VERSION
from ...extensions import db

OK, WARNING, PROBLEM = "ok", "warning", "problem"
FONT_DIR = Path(__file__).resolve().parents[2] / "fonts"
FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104 — names, not a bind


@dataclass(frozen=True)
class Finding:
    level: str
    topic: str
    message: str


def _secret_key(app: Flask) -> Iterator[Finding]:
    topic = "Khóa bí mật"
    key = str(app.config.get("SECRET_KEY") or "")
    if not app.config.get("PRODUCTION"):
        yield Finding(WARNING, topic, "SURVEY_PRODUCTION chưa bật: chế độ thử nghiệm (cookie "
                                      "không có Secure, khóa bí mật lấy từ thư mục instance). "
                                      "Trên máy chủ thật hãy đặt SURVEY_PRODUCTION=true.")
    if len(key) < 32:
        yield Finding(PROBLEM, topic, f"SURVEY_SECRET_KEY quá ngắn ({len(key)} ký tự, cần ít "
                                      "nhất 32). Tạo khóa: python3 -c \"import secrets; "
                                      "print(secrets.token_hex(32))\".")
    elif key.startswith(("test-", "bench-")) or "not-for-production" in key:
        yield Finding(PROBLEM, topic, "SURVEY_SECRET_KEY là khóa dùng để thử nghiệm; hãy tạo "
                                      "khóa ngẫu nhiên riêng.")
    elif app.config.get("PRODUCTION"):
        yield Finding(OK, topic, "đã đặt.")


def _base_url(app: Flask) -> Iterator[Finding]:
    topic = "Địa chỉ công khai"
    url = str(app.config.get("PUBLIC_BASE_URL") or "")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        yield Finding(PROBLEM, topic, f"SURVEY_PUBLIC_BASE_URL “{url}” không phải địa chỉ web "
                                      "đầy đủ (ví dụ https://khaosat.vancanh.gov.vn).")
        return
    if url.endswith("/") or parts.query or parts.fragment:
        yield Finding(PROBLEM, topic, f"SURVEY_PUBLIC_BASE_URL “{url}”: bỏ dấu “/” ở cuối và "
                                      "mọi phần ?… hoặc #….")
        return
    if app.config.get("PRODUCTION"):
        if parts.scheme != "https":
            yield Finding(PROBLEM, topic, f"“{url}” phải dùng https:// trên máy chủ thật: mã "
                                          "QR in ra trỏ tới địa chỉ này.")
            return
        if (parts.hostname or "") in LOCAL_HOSTS:
            yield Finding(PROBLEM, topic, f"“{url}” là địa chỉ của chính máy này; điện thoại "
                                          "của người dân không mở được.")
            return
    yield Finding(OK, topic, f"{url} (mã QR trên áp phích và phiếu giấy trỏ tới đây).")


def _database(app: Flask) -> Iterator[Finding]:
    topic = "Cơ sở dữ liệu"
    url = db.engine.url
    shown = url.render_as_string(hide_password=True)
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = _current_revisions(connection)
    except SQLAlchemyError as error:
        yield Finding(PROBLEM, topic, f"không kết nối được {shown}: {_first_line(error)}")
        return
    yield Finding(OK, topic, f"kết nối được {shown}.")
    known, heads = _known_revisions()
    unknown = current - known
    if unknown:
        yield Finding(PROBLEM, "Lược đồ", f"cơ sở dữ liệu ở phiên bản {', '.join(sorted(unknown))}"
                                          " mà mã nguồn này không biết (cơ sở dữ liệu của một "
                                          "phiên bản mới hơn hoặc khác). Dùng đúng phiên bản mã "
                                          "nguồn, hoặc khôi phục bản sao lưu.")
    elif not current:
        yield Finding(PROBLEM, "Lược đồ", "cơ sở dữ liệu chưa có bảng nào. Chạy: flask --app "
                                          "wsgi db upgrade")
    elif current != heads:
        yield Finding(PROBLEM, "Lược đồ", f"đang ở phiên bản {', '.join(sorted(current))}, mã "
                                          f"nguồn cần {', '.join(sorted(heads))}. Chạy: flask "
                                          "--app wsgi db upgrade (sao lưu trước).")
    else:
        yield Finding(OK, "Lược đồ", f"đã cập nhật (phiên bản {', '.join(sorted(heads))}).")
    if url.get_backend_name() == "sqlite":
        yield from _sqlite_version()


def _current_revisions(connection) -> set[str]:
    from alembic.migration import MigrationContext

    return set(MigrationContext.configure(connection).get_current_heads())


def _known_revisions() -> tuple[set[str], set[str]]:
    """Every revision the code's migrations define, and their heads."""
    from alembic.script import ScriptDirectory

    config = current_app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    return {revision.revision for revision in script.walk_revisions()}, set(script.get_heads())


def sqlite_warning() -> str | None:
    """The warning about an SQLite library with the WAL-reset bug, or None."""
    version = tuple(int(part) for part in sqlite3.sqlite_version.split("."))
    if version >= SQLITE_SAFE_VERSION:
        return None
    return (f"thư viện SQLite {sqlite3.sqlite_version} cũ hơn 3.51.3 (lỗi “WAL-reset” có thể "
            "làm hỏng tệp dữ liệu khi nhiều tiến trình cùng ghi). Với nhiều worker gunicorn "
            "trên máy chủ thật, hãy dùng PostgreSQL (docs/operations.md).")


def _sqlite_version() -> Iterator[Finding]:
    warning = sqlite_warning()
    if warning:
        yield Finding(WARNING, "SQLite", warning)
    else:
        yield Finding(OK, "SQLite", f"phiên bản {sqlite3.sqlite_version}.")


def _redis(app: Flask) -> Iterator[Finding]:
    topic = "Redis"
    uri = str(app.config.get("RATELIMIT_STORAGE_URI") or "")
    if not uri.startswith(("redis://", "rediss://", "redis+")):
        if app.config.get("PRODUCTION") and app.config.get("RATELIMIT_ENABLED"):
            yield Finding(WARNING, topic, f"giới hạn tần suất lưu trong bộ nhớ ({uri}): mỗi "
                                          "worker đếm riêng. Với nhiều worker hãy đặt "
                                          "SURVEY_RATELIMIT_STORAGE_URI=redis://….")
        return
    try:
        import redis

        redis.Redis.from_url(uri.replace("redis+", "", 1), socket_connect_timeout=3,
                             socket_timeout=3).ping()
    except Exception as error:  # any failure to reach it is the finding itself
        yield Finding(PROBLEM, topic, f"không kết nối được {uri}: {_first_line(error)}. Khi "
                                      "Redis ngừng, giới hạn tần suất không còn tác dụng.")
        return
    yield Finding(OK, topic, f"kết nối được {uri}.")


def _fonts(app: Flask) -> Iterator[Finding]:
    topic = "Phông chữ"
    missing = [name for name in FONTS if not (FONT_DIR / name).is_file()
               or (FONT_DIR / name).stat().st_size == 0]
    if missing:
        yield Finding(PROBLEM, topic, f"thiếu {', '.join(missing)} trong {FONT_DIR}: không in "
                                      "được áp phích, phiếu giấy và báo cáo PDF.")
        return
    try:
        from ...support.pdf_fonts import register_fonts

        register_fonts()
    except Exception as error:  # a damaged font file, whatever ReportLab says about it
        yield Finding(PROBLEM, topic, f"không đọc được phông DejaVu: {_first_line(error)}")
        return
    yield Finding(OK, topic, "DejaVu Sans (có dấu tiếng Việt) đọc được.")


def _translations(app: Flask) -> Iterator[Finding]:
    catalogues = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
    stale = [path.parent.parent.name for path in catalogues
             if not path.with_suffix(".mo").is_file()
             or path.with_suffix(".mo").stat().st_mtime < path.stat().st_mtime]
    if stale:
        yield Finding(WARNING, "Bản dịch", f"chưa biên dịch ({', '.join(stale)}): chạy "
                                           "pybabel compile -d survey_app/translations.")


CHECKS: tuple[Callable[[Flask], Iterator[Finding]], ...] = (
    _secret_key, _base_url, _database, _redis, _fonts, _translations)


def _first_line(error: BaseException) -> str:
    return (str(getattr(error, "orig", None) or error).strip().splitlines() or [""])[0]


def examine(app: Flask) -> list[Finding]:
    """Every finding, in the order of CHECKS (inside an app context)."""
    return [finding for check in CHECKS for finding in check(app)]
