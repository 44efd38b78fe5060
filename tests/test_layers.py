"""The layers of docs/architecture.md hold: nothing imports upwards.

Blueprints (public, staff, admin, results, api, cli) may use the domain; the domain never
imports a blueprint; support helpers never import the domain; ``analysis`` and
``questionnaires`` never import Flask, SQLAlchemy or the app.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLUEPRINTS = ("public", "staff", "admin", "results", "api", "cli")


def imports_of(path: Path) -> set[str]:
    """Absolute dotted names imported by ``path`` (relative imports resolved)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def offending(folder: str, forbidden: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(str(path.relative_to(ROOT)), name) for path in files(folder)
            for name in sorted(imports_of(path))
            if any(name == prefix or name.startswith(prefix + ".") for prefix in forbidden)]


def test_the_domain_never_imports_a_blueprint():
    assert offending("survey_app/domain",
                     tuple(f"survey_app.{name}" for name in BLUEPRINTS)) == []


def test_support_helpers_never_import_the_domain_or_a_blueprint():
    assert offending("survey_app/support", ("survey_app.domain", "survey_app.models",
                                            *(f"survey_app.{name}" for name in BLUEPRINTS))) == []


@pytest.mark.parametrize("folder", ["analysis", "questionnaires"])
def test_pure_packages_import_no_web_or_database_layer(folder):
    assert offending(folder, ("flask", "flask_sqlalchemy", "sqlalchemy", "werkzeug",
                              "survey_app")) == []


def test_the_check_sees_relative_imports():
    # survey_app/results/pages.py imports the domain with "from ..domain.results import …"
    names = imports_of(ROOT / "survey_app/results/pages.py")
    assert "survey_app.domain.results.presented" in names
