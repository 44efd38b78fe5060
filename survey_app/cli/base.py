"""The registry every command module adds its commands to."""

from __future__ import annotations

from collections.abc import Callable

import click

COMMANDS: list[click.Command] = []


def command(name: str) -> Callable[[Callable], click.Command]:
    """Declare a ``flask`` command; ``init_app`` registers every declared one."""
    def register(function: Callable) -> click.Command:
        made = click.command(name)(function)
        COMMANDS.append(made)
        return made
    return register


def fail(message: str) -> None:
    """Stop the command with a message and a non-zero exit status."""
    raise click.ClickException(message)
