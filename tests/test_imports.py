"""What the app's code imports: only declared packages, and only down the layers.

Layers (CONTRIBUTING.md): knowledge <- index <- api; bot/training_data.py reads knowledge
only; bot/components runs inside Rasa and imports nothing of the project but itself.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from tests.conftest import ROOT

APP = ["knowledge", "index", "api", "bot/training_data.py", "bot/training.py"]
OWN = {"knowledge", "index", "api", "bot"}
# What each part of the project may import of the project.
MAY_IMPORT = {
    "knowledge": {"knowledge"},
    "index": {"knowledge", "index"},
    "api": {"knowledge", "index", "api", "bot"},
    "bot/training_data.py": {"knowledge"},
    "bot/training.py": {"knowledge", "bot"},
    "bot/components": {"bot"},
}


def _files(part: str) -> list[Path]:
    path = ROOT / part
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


def _top_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def _imported_top_names() -> set[str]:
    names = {name for part in APP for path in _files(part) for name in _top_names(path)}
    return names - OWN - set(sys.stdlib_module_names) - {"__future__"}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_imported_package_is_a_declared_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_normalise(re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0]) for d in project["dependencies"]}
    owners = packages_distributions()
    imported = _imported_top_names()
    assert {"numpy", "sklearn", "faiss"} <= imported
    missing = {name: owners.get(name) for name in imported
               if not {_normalise(d) for d in owners.get(name, [name])} & declared}
    assert not missing, missing


def test_imports_go_down_the_layers() -> None:
    wrong = {f"{path.relative_to(ROOT)} imports {name}"
             for part, allowed in MAY_IMPORT.items() for path in _files(part)
             for name in (_top_names(path) & OWN) - allowed}
    assert not wrong, sorted(wrong)
