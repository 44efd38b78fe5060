"""Consistent online copies of the SQLite database (PostgreSQL: use pg_dump)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ...errors import DomainError
from ...extensions import db


def backup_sqlite(target: Path) -> int:
    """Copy the live SQLite database to ``target`` with SQLite's backup API; returns pages.

    The backup API copies a consistent snapshot while the app keeps serving; a plain
    file copy of a WAL database can miss committed transactions or tear pages.
    """
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database:
        raise DomainError("Cơ sở dữ liệu PostgreSQL: hãy sao lưu bằng pg_dump "
                          "(xem docs/operations.md).")
    target = Path(target)
    if target.exists():
        raise DomainError(f"Tệp {target} đã có; chọn tên khác để không ghi đè bản sao lưu cũ.")
    source = sqlite3.connect(url.database)
    destination = sqlite3.connect(target)
    try:
        with destination:
            source.backup(destination)
        check = destination.execute("PRAGMA integrity_check").fetchone()[0]
        pages = destination.execute("PRAGMA page_count").fetchone()[0]
    finally:
        destination.close()
        source.close()
    if check != "ok":
        target.unlink(missing_ok=True)
        raise DomainError(f"Bản sao lưu không toàn vẹn ({check}); đã xóa.")
    return pages
