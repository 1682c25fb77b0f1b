"""YAML that remembers where each value was written, for PATH:LINE problems.

`yaml.safe_load` forgets positions, so a rule file's mistake could only be reported as
"somewhere in the file". Here the document is composed into PyYAML's node graph (which
carries marks) and built into dicts and lists that keep the line of every key and item.
Duplicate keys, which PyYAML silently lets the last one win, are reported as problems.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from knowledge.errors import Problem


class LineDict(dict[Any, Any]):
    """A mapping with the line of the mapping itself and of each of its keys (1-based)."""

    line: int
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    """A sequence with its own line and the line of each item (1-based)."""

    line: int
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


def line_of(container: Any, key: Any, default: int = 1) -> int:
    """Line of `key` in a LineDict or LineList; `default` when it has no such key (a
    missing field is reported where its owner is named) or is not a container."""
    if isinstance(container, LineDict):
        return container.key_lines.get(key, default)
    if isinstance(container, LineList) and 0 <= key < len(container.item_lines):
        return container.item_lines[key]
    return default


def own_line(value: Any, default: int) -> int:
    """Line where a mapping or sequence starts; `default` for a plain scalar."""
    return value.line if isinstance(value, LineDict | LineList) else default


class _Builder:
    def __init__(self, path: str) -> None:
        self.path = path
        self.scalars = SafeConstructor()
        self.problems: list[Problem] = []

    def build(self, node: Node) -> Any:
        line = node.start_mark.line + 1
        if isinstance(node, MappingNode):
            mapping = LineDict()
            mapping.line, mapping.key_lines = line, {}
            for key_node, value_node in node.value:
                key = self.build(key_node)
                key_line = key_node.start_mark.line + 1
                try:
                    hash(key)
                except TypeError:
                    self.problems.append(Problem(self.path, key_line, "a key must be a plain value"))
                    continue
                if key in mapping:
                    self.problems.append(Problem(
                        self.path, key_line,
                        f"duplicate key {key!r} (first at line {mapping.key_lines[key]})"))
                    continue
                mapping[key] = self.build(value_node)
                mapping.key_lines[key] = key_line
            return mapping
        if isinstance(node, SequenceNode):
            items = LineList()
            items.line, items.item_lines = line, []
            for item in node.value:
                items.append(self.build(item))
                items.item_lines.append(item.start_mark.line + 1)
            return items
        assert isinstance(node, ScalarNode)
        try:
            return self.scalars.construct_object(node, deep=True)
        except ConstructorError as exc:
            self.problems.append(Problem(self.path, line, f"unreadable value: {exc.problem}"))
            return None


def load_text(text: str, path: str) -> tuple[Any, list[Problem]]:
    """The document's data (LineDict / LineList / scalars) and the problems met reading it.

    A syntax error yields (None, [problem at its line]): nothing in a broken file is used.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        return None, [Problem(path, line, f"not valid YAML: {exc.problem or exc.context}")]
    except yaml.YAMLError as exc:
        return None, [Problem(path, 1, f"not valid YAML: {exc}")]
    if node is None:
        return None, []
    builder = _Builder(path)
    return builder.build(node), builder.problems


def load_file(path: Path) -> tuple[Any, list[Problem]]:
    """load_text for a file; bytes that are not UTF-8 are a problem, not an exception."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        return None, [Problem(str(path), line, "bytes that are not UTF-8")]
    return load_text(text, str(path))
