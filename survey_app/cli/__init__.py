"""``flask --app wsgi …`` commands; each one is a thin shell around a service.

Command modules declare their commands with ``base.command``; importing a module here is
what registers it.
"""

from __future__ import annotations

from flask import Flask

from . import data, ops, printing, results, scans, xlsform  # noqa: F401  (they declare their commands)
from .base import COMMANDS


def init_app(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)
