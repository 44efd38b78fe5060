"""Operations commands: backups."""

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
