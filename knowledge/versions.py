"""Published versions of the knowledge base, in the data directory, and which one is live.

The live knowledge base is data, not code: knowledge/ in git is the seed, and what the
assistant serves is the version a maintainer published last (or rolled back to). Each
version is an immutable folder, var/kb/versions/<id>/, holding the knowledge tree it was
built from, its search index and a manifest; the distilled model and the Rasa model it
was built with are shared between versions under var/kb/{models,rasa}/, named by the
digest of their inputs, so a version that changes no vocabulary and no training data
reuses them. The file var/kb/LIVE names the live version; it is replaced atomically, and
running services watch it.

This module only reads and writes that store. Building a version (embedding, indexing,
training Rasa) and switching the running services is api/publishing.py.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.errors import KnowledgeError
from knowledge.settings import Settings

LIVE = "LIVE"
MANIFEST = "manifest.json"
# Settings a version decides, unless set explicitly (environment or code): an explicit
# POLICYBOT_INDEX_DIR, say, still wins, as tests and benchmarks need.
_VERSION_FIELDS = ("sources_dir", "questions_dir", "eligibility_dir", "departments_file",
                   "terms_file", "index_dir", "distilled_model_dir")


class VersionNotFound(KnowledgeError):
    def __init__(self, version_id: str) -> None:
        self.version_id = version_id
        super().__init__(f"no published version {version_id!r}")


@dataclass(frozen=True)
class KbVersion:
    id: str
    root: Path
    manifest: dict[str, Any]
    artifacts: Path

    @property
    def knowledge_dir(self) -> Path:
        return self.root / "knowledge"

    @property
    def index_dir(self) -> Path:
        return self.root / "index"

    @property
    def model_dir(self) -> Path:
        return model_path(self.artifacts, str(self.manifest["digests"]["model"]))

    @property
    def rasa_model(self) -> Path | None:
        digest = self.manifest["digests"].get("rasa")
        return rasa_model_path(self.artifacts, str(digest)) if digest else None

    @property
    def documents(self) -> list[dict[str, Any]]:
        return list(self.manifest.get("documents", []))

    @property
    def measure_count(self) -> int:
        return sum(int(d.get("measures", 0)) for d in self.documents)

    def settings(self, base: Settings) -> Settings:
        """base reading this version: its knowledge tree, index and distilled model."""
        return base.for_knowledge(self.knowledge_dir).model_copy(
            update={"index_dir": self.index_dir, "distilled_model_dir": self.model_dir})


def model_path(artifacts: Path, digest: str) -> Path:
    return artifacts / "models" / digest


def rasa_model_path(artifacts: Path, digest: str) -> Path:
    return artifacts / "rasa" / f"{digest}.tar.gz"


def versions_dir(settings: Settings) -> Path:
    return settings.resolved_kb_dir / "versions"


def _load(settings: Settings, root: Path) -> KbVersion:
    manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    return KbVersion(root.name, root, manifest, settings.resolved_artifacts_dir)


def all_versions(settings: Settings) -> list[KbVersion]:
    """Every complete version, newest first (ids sort by time)."""
    base = versions_dir(settings)
    if not base.is_dir():
        return []
    roots = [p for p in base.iterdir() if not p.name.startswith(".") and (p / MANIFEST).is_file()]
    return [_load(settings, root) for root in sorted(roots, key=lambda p: p.name, reverse=True)]


def get(settings: Settings, version_id: str) -> KbVersion:
    root = versions_dir(settings) / version_id
    if "/" in version_id or version_id.startswith(".") or not (root / MANIFEST).is_file():
        raise VersionNotFound(version_id)
    return _load(settings, root)


def live_id(settings: Settings) -> str | None:
    pointer = settings.resolved_kb_dir / LIVE
    try:
        return pointer.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def live(settings: Settings) -> KbVersion | None:
    version_id = live_id(settings)
    return get(settings, version_id) if version_id else None


def set_live(settings: Settings, version_id: str) -> KbVersion:
    """Make a version live: a new pointer file renamed over the old one, so a reader sees
    either the old id or the new one, never a torn write."""
    version = get(settings, version_id)
    pointer = settings.resolved_kb_dir / LIVE
    tmp = pointer.with_name(f".{LIVE}.{os.getpid()}.tmp")
    tmp.write_text(version_id + "\n", encoding="utf-8")
    os.replace(tmp, pointer)
    return version


def prune(settings: Settings, keep: int) -> list[str]:
    """Remove all but the newest `keep` versions; never the live one. Returns what went."""
    current = live_id(settings)
    removed = []
    for version in all_versions(settings)[keep:]:
        if version.id != current:
            shutil.rmtree(version.root, ignore_errors=True)
            removed.append(version.id)
    return removed


def apply_version(base: Settings, version: KbVersion) -> Settings:
    """base reading the version, except for what base sets explicitly."""
    applied = version.settings(base)
    return base.model_copy(update={name: getattr(applied, name) for name in _VERSION_FIELDS
                                   if name not in base.model_fields_set})


def live_settings(base: Settings) -> Settings:
    """base reading the live version, for what base does not set explicitly; base itself
    when nothing has been published."""
    version = live(base)
    return base if version is None else apply_version(base, version)
