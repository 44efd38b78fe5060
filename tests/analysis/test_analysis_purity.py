"""``analysis`` stays pure: no web framework, no database layer, no application import."""

from __future__ import annotations

import ast
from pathlib import Path

import analysis

FORBIDDEN = ("flask", "flask_sqlalchemy", "sqlalchemy", "survey_app", "werkzeug", "jinja2")
ALLOWED_THIRD_PARTY = {"numpy", "pandas", "scipy", "questionnaires"}


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_analysis_imports_only_allowed_packages():
    folder = Path(analysis.__file__).parent
    standard = {"__future__", "collections", "dataclasses", "decimal", "fractions", "importlib",
                "math", "typing", "types"}
    for path in sorted(folder.glob("*.py")):
        imported = _imported_modules(path)
        assert not imported & set(FORBIDDEN), path.name
        assert imported <= ALLOWED_THIRD_PARTY | standard, (path.name, imported)


def test_public_api_is_exported():
    for name in analysis.__all__:
        assert hasattr(analysis, name), name
    assert len(analysis.__all__) == len(set(analysis.__all__))
