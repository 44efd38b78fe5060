"""Read a YAML file into plain Python data while remembering each value's line.

PyYAML silently keeps the last of two equal keys and forgets where values came
from; a person editing an instrument needs both caught and located, so the
node tree is walked here instead of using ``yaml.safe_load``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

_LAST_STEP = re.compile(r"(\.[^.\[\]]+|\[\d+\])$")


class DefinitionError(ValueError):
    """A questionnaire or scoring file is malformed; says which file, where and what."""

    def __init__(self, origin: str, place: str, message: str, line: int | None = None):
        self.origin = origin
        self.place = place
        self.message = message
        self.line = line
        where = f"{origin}, dòng {line}" if line else origin
        super().__init__(f"{where} ({place or 'gốc tệp'}): {message}")


class Located:
    """Parsed YAML data plus the line of every path inside it."""

    def __init__(self, origin: str, data: Any, lines: dict[str, int]):
        self.origin = origin
        self.data = data
        self.lines = lines

    def error(self, place: str, message: str) -> DefinitionError:
        """An error pointing at ``place`` (or its nearest located parent)."""
        probe = place
        while probe and probe not in self.lines:
            parent = _LAST_STEP.sub("", probe)
            probe = "" if parent == probe else parent
        return DefinitionError(self.origin, place, message, self.lines.get(probe))


def read_yaml(path: str | Path) -> Located:
    """Parse ``path``; syntax errors and duplicate keys become ``DefinitionError``."""
    path = Path(path)
    origin = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DefinitionError(origin, "", f"tệp không phải UTF-8 ({exc.reason})") from exc
    except OSError as exc:
        raise DefinitionError(origin, "", f"không đọc được tệp ({exc.strerror})") from exc
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        lines: dict[str, int] = {}
        data = _construct(loader, root, "", lines, origin) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise DefinitionError(origin, "", f"lỗi cú pháp YAML: {exc.problem}", line) from exc
    except yaml.YAMLError as exc:
        raise DefinitionError(origin, "", f"lỗi cú pháp YAML: {exc}") from exc
    finally:
        loader.dispose()
    return Located(origin, data, lines)


def _construct(loader: yaml.SafeLoader, node: yaml.Node, path: str, lines: dict[str, int],
               origin: str) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            if not isinstance(key, str):
                raise DefinitionError(origin, path, f"khóa {key!r} phải là chuỗi",
                                      key_node.start_mark.line + 1)
            child = f"{path}.{key}" if path else key
            if key in result:
                raise DefinitionError(origin, child, f"khóa '{key}' xuất hiện hai lần",
                                      key_node.start_mark.line + 1)
            result[key] = _construct(loader, value_node, child, lines, origin)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(loader, child, f"{path}[{index + 1}]", lines, origin)
                for index, child in enumerate(node.value)]
    return loader.construct_object(node)
