"""Heavy modules imported when first used, so that the app starts (and a worker forks) fast.

``import wsgi`` must not import pandas, scipy, openpyxl, reportlab, OpenCV… (issue 12:
importing the app took 4–6 s, before any request): modules that need them are reached
through ``lazy_module`` or imported inside the function that uses them.
tests/test_startup.py checks which modules an imported app has loaded.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import click


class LazyModule:
    """Stands for a module; the first attribute read imports it (then it is a plain lookup)."""

    def __init__(self, name: str):
        self.__dict__["_name"] = name
        self.__dict__["_module"] = None

    def _load(self) -> ModuleType:
        module = self.__dict__["_module"]
        if module is None:
            module = importlib.import_module(self.__dict__["_name"])
            self.__dict__["_module"] = module
        return module

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._load(), attribute)

    def __setattr__(self, attribute: str, value: Any) -> None:  # monkeypatching in tests
        setattr(self._load(), attribute, value)

    def __delattr__(self, attribute: str) -> None:
        delattr(self._load(), attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self.__dict__['_name']}>"


def lazy_module(name: str) -> Any:
    """``name`` (absolute), imported on first use."""
    return LazyModule(name)


class LazyGroup(click.Group):
    """A command group whose real group (``module:attribute``) is imported when it is used:
    ``flask db …`` needs Flask-Migrate and Alembic, every other command does not."""

    def __init__(self, name: str, target: str, help: str | None = None):
        super().__init__(name, help=help)
        self.target = target

    def _group(self) -> click.Group:
        module, attribute = self.target.split(":")
        group = getattr(importlib.import_module(module), attribute)
        # Its options and callback too (Flask-Migrate's ``db`` takes --directory, -x).
        self.params, self.callback = group.params, group.callback
        return group

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        self._group()
        return super().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._group().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self._group().get_command(ctx, name)
