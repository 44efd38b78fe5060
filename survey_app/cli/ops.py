"""Operations commands: backups, the installation check."""

from __future__ import annotations

from pathlib import Path

import click

from ..domain.operations.backup import backup_sqlite
from ..errors import DomainError
from .base import command, fail


@command("backup")
@click.option("--out", "target", required=True, type=click.Path(dir_okay=False),
              help="File to write the copy to (must not exist).")
def backup_command(target: str) -> None:
    """Take a consistent online copy of the SQLite database (PostgreSQL: use pg_dump)."""
    try:
        pages = backup_sqlite(Path(target))
    except DomainError as error:
        fail(str(error))
    click.echo(f"Đã sao lưu {pages} trang vào {target} (kiểm tra toàn vẹn: ok).")


MARKS = {"ok": "  ✓", "warning": "  !", "problem": "  ✗"}


@command("doctor")
def doctor_command() -> None:
    """Check the configuration, the database, Redis and the fonts; say what is wrong."""
    from flask import current_app

    from ..domain.operations.doctor import PROBLEM, WARNING, examine

    findings = examine(current_app._get_current_object())
    for finding in findings:
        click.echo(f"{MARKS[finding.level]} {finding.topic}: {finding.message}")
    problems = sum(finding.level == PROBLEM for finding in findings)
    warnings = sum(finding.level == WARNING for finding in findings)
    if problems:
        fail(f"Có {problems} vấn đề cần sửa ({warnings} lưu ý).")
    click.echo(f"Không có vấn đề nào ({warnings} lưu ý)." if warnings else
               "Không có vấn đề nào.")
