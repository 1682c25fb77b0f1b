"""Knowledge trees for tests: the shipped knowledge/ copied, optionally with the 2024
fixture document (tests/fixtures/hongqi-2024-adjustments/) laid over it, as a maintainer
would add a second document. The shipped knowledge base itself stays one document."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
SECOND_DOCUMENT = ROOT / "tests" / "fixtures" / "hongqi-2024-adjustments"
OLD, NEW = "hongqi-2023-measures", "hongqi-2024-adjustments"
PARTS = ("sources", "questions", "eligibility", "departments.yml", "terms.txt")


def seed_tree(root: Path) -> Path:
    """A copy of knowledge/ (only the files of a tree) under root."""
    root.mkdir(parents=True, exist_ok=True)
    for part in PARTS:
        source = KNOWLEDGE / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        else:
            shutil.copy2(source, root / part)
    return root


def two_document_tree(root: Path) -> Path:
    """The seed plus the 2024 adjustments (which supersede 2023 第40条 and 第44条)."""
    seed_tree(root)
    shutil.copytree(SECOND_DOCUMENT, root, dirs_exist_ok=True)
    return root


def knowledge_paths(tree: Path) -> dict[str, Path]:
    """The settings that make the app read every knowledge file from `tree`."""
    return {"sources_dir": tree / "sources", "questions_dir": tree / "questions",
            "eligibility_dir": tree / "eligibility", "departments_file": tree / "departments.yml",
            "terms_file": tree / "terms.txt"}


def knowledge_env(tree: Path) -> dict[str, str]:
    """The same as POLICYBOT_* environment variables (for the CLI)."""
    return {f"POLICYBOT_{name.upper()}": str(path) for name, path in knowledge_paths(tree).items()}
