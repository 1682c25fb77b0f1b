"""pyproject.toml declares every package the app imports (a fresh install must run it)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from tests.conftest import ROOT

APP = ["knowledge", "index", "api", "bot/training_data.py"]
OWN = {"knowledge", "index", "api", "bot"}


def _imported_top_names() -> set[str]:
    names: set[str] = set()
    files = [p for part in APP for p in ((ROOT / part).rglob("*.py") if (ROOT / part).is_dir()
                                         else [ROOT / part])]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
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
