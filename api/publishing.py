"""Publishing the knowledge base: stage, validate, compare, build a version, switch the
running assistant to it, roll back.

The steps are all-or-nothing. A staged tree that does not validate changes nothing
(PublishRejected, with every PATH:LINE problem). A version is built completely (search
index, the distilled model and the Rasa model it needs, reused by digest when its inputs
did not change) in a hidden folder and renamed into place only when complete. Then the
LIVE pointer moves, the running answer services notice it and swap their services
between two requests (requests in flight finish on the old version), and Rasa is told to
load the version's model through its model API on loopback; if either does not follow,
the pointer moves back and the command says why (PublishFailed), so the previous
version keeps serving. Publishing while nothing runs only prepares what `make run` will
serve.

This module sits at the api layer because it drives the index build and Rasa training;
the version store itself is knowledge/versions.py. The CLI (`policybot kb publish …`)
and the admin pages call these functions.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from api.keys import RASA_TOKEN, secret
from bot import training
from index import distill
from index.build import build_index, distillation_texts, index_inputs
from index.embedder import MODEL_ID_PREFIX
from knowledge.catalog import Catalog
from knowledge.diff import KbDiff, KnowledgeState, compare, tree_digests
from knowledge.errors import Problem
from knowledge.pending import PendingQuestions
from knowledge.questions import QuestionBank
from knowledge.settings import PACKAGE_DIR, Settings, get_settings
from knowledge.validation import validate_tree
from knowledge.versions import (
    MANIFEST,
    KbVersion,
    all_versions,
    get,
    live,
    model_path,
    prune,
    rasa_model_path,
    set_live,
    versions_dir,
)

Progress = Callable[[str], None]
# What a knowledge tree holds (knowledge/ in git also holds code and the evaluation set).
TREE_PARTS = ("sources", "questions", "eligibility", "departments.yml", "terms.txt")
SEED = PACKAGE_DIR
SWITCH_TIMEOUT = 60.0
ORIGINS = ".origins.json"  # staged file -> the file it came from, for problem messages
RASA_LOAD_TIMEOUT = 300.0
NOT_KNOWLEDGE = ("not a document (.txt), a sidecar (.meta.yml), a rule or question-bank file (.yml) "
                 "or a knowledge folder")


class PublishRejected(Exception):
    """The staged knowledge base is invalid; nothing was changed."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class PublishFailed(Exception):
    """Building or switching failed; the previous version is still live."""


@dataclass(frozen=True)
class VersionInfo:
    id: str
    created_at: str
    summary: str
    origin: str
    documents: list[dict[str, Any]]
    measure_count: int
    live: bool
    rasa_retrained: bool = False

    @classmethod
    def of(cls, version: KbVersion, live_id: str | None) -> VersionInfo:
        manifest = version.manifest
        return cls(version.id, str(manifest.get("created_at", "")), str(manifest.get("summary", "")),
                   str(manifest.get("origin", "")), version.documents, version.measure_count,
                   version.id == live_id, bool(manifest.get("rasa_retrained", False)))

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "created_at": self.created_at, "summary": self.summary,
                "origin": self.origin, "documents": self.documents,
                "measure_count": self.measure_count, "live": self.live,
                "rasa_retrained": self.rasa_retrained}


def _quiet(_: str) -> None:
    pass


# ---- staging ------------------------------------------------------------------------------

def _copy_tree(source: Path, target: Path) -> None:
    for part in TREE_PARTS:
        path = source / part
        if path.is_dir():
            shutil.copytree(path, target / part, dirs_exist_ok=True)
        elif path.is_file():
            shutil.copyfile(path, target / part)


def _kind_of_yaml(path: Path) -> str | None:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    if "measures" in data or "facts" in data:
        return "eligibility"
    if "questions" in data:
        return "questions"
    return None


def stage(paths: list[Path], settings: Settings | None = None) -> Path:
    """A complete knowledge tree in a temporary folder: the live version's (or the seed
    when nothing is live) with each path applied. A folder with sources/ replaces the
    whole tree; a .txt document goes to sources/ with its <stem>.meta.yml if one lies
    beside it; a rule or question-bank .yml goes where its content says."""
    settings = settings or get_settings()
    current = live(settings)
    staging = settings.resolved_kb_dir / "staging"
    staging.mkdir(parents=True, exist_ok=True)
    tree = Path(tempfile.mkdtemp(prefix="tree-", dir=staging))
    base = current.knowledge_dir if current else SEED
    _copy_tree(base, tree)
    origins = {str(f.relative_to(tree)): str(base / f.relative_to(tree))
               for f in tree.rglob("*") if f.is_file()}
    problems = []
    for path in paths:
        if path.is_dir():
            if not (path / "sources").is_dir():
                problems.append(Problem(str(path), 1, "not a knowledge folder (it has no sources/)"))
                continue
            for part in TREE_PARTS:
                shutil.rmtree(tree / part, ignore_errors=True) if (tree / part).is_dir() \
                    else (tree / part).unlink(missing_ok=True)
            _copy_tree(path, tree)
            origins = {str(f.relative_to(tree)): str(path / f.relative_to(tree))
                       for f in tree.rglob("*") if f.is_file()}
        elif path.suffix == ".txt" and path.is_file():
            (tree / "sources").mkdir(exist_ok=True)
            origins[f"sources/{path.name}"] = str(path)
            shutil.copyfile(path, tree / "sources" / path.name)
            sidecar = path.with_name(path.stem + ".meta.yml")
            if sidecar.is_file():
                origins[f"sources/{sidecar.name}"] = str(sidecar)
                shutil.copyfile(sidecar, tree / "sources" / sidecar.name)
        elif path.name.endswith(".meta.yml") and path.is_file():
            origins[f"sources/{path.name}"] = str(path)
            shutil.copyfile(path, tree / "sources" / path.name)
        elif path.name == "departments.yml" and path.is_file():
            origins["departments.yml"] = str(path)
            shutil.copyfile(path, tree / "departments.yml")
        elif path.suffix == ".yml" and path.is_file() and (kind := _kind_of_yaml(path)):
            (tree / kind).mkdir(exist_ok=True)
            origins[f"{kind}/{path.name}"] = str(path)
            shutil.copyfile(path, tree / kind / path.name)
        else:
            problems.append(Problem(str(path), 1, NOT_KNOWLEDGE))
    if problems:
        shutil.rmtree(tree, ignore_errors=True)
        raise PublishRejected(problems)
    (tree / ORIGINS).write_text(json.dumps(origins, ensure_ascii=False), encoding="utf-8")
    return tree


def _where_from(tree: Path, problems: list[Problem]) -> list[Problem]:
    """Problems pointing at the files the maintainer gave, not at their staged copies."""
    try:
        origins: dict[str, str] = json.loads((tree / ORIGINS).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return problems
    out = []
    for problem in problems:
        path = Path(problem.path)
        relative = str(path.relative_to(tree)) if path.is_relative_to(tree) else None
        out.append(Problem(origins.get(relative, problem.path) if relative else problem.path,
                           problem.line, problem.message))
    return out


def validate(tree: Path, settings: Settings | None = None) -> list[Problem]:
    """Every problem of the tree (documents, sidecars, rules, department table, terms,
    question bank: knowledge/validation.py), each with its file as the maintainer gave it
    and its line."""
    return _where_from(tree, validate_tree(tree))


def diff(tree: Path, settings: Settings | None = None) -> KbDiff:
    """What publishing the tree would change against the live version."""
    settings = settings or get_settings()
    current = live(settings)
    return compare(KnowledgeState.load(settings, current.knowledge_dir if current else None),
                   KnowledgeState.load(settings, tree))


# ---- building -----------------------------------------------------------------------------

def _merge_pending(tree: Path, settings: Settings) -> list[Path]:
    """Copy pending question-bank files (knowledge/pending.py) into the tree, merging with
    a file of the same name; returns the pending files taken, cleared once the version is
    live. The caller holds the pending folder's lock, so no addition slips in between."""
    folder = settings.pending_questions_dir
    taken = sorted(folder.glob("*.yml")) if folder.is_dir() else []
    for path in taken:
        target = tree / "questions" / f"maintainers-{path.name}"
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if target.is_file():
            existing = yaml.safe_load(target.read_text(encoding="utf-8")) or {}
            merged = existing.get("questions") or {}
            for number, items in (data.get("questions") or {}).items():
                merged.setdefault(number, [])
                merged[number] += [q for q in items or [] if q not in merged[number]]
            data = {**existing, "questions": merged}
        target.parent.mkdir(exist_ok=True)
        target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return taken


@dataclass
class _Build:
    root: Path
    manifest: dict[str, Any]


def _digest(files: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]


def _distilled_model(settings: Settings, texts: list[str], terms_file: Path, say: Progress) -> Path:
    """The distilled model for this vocabulary: already in the store, copied from the
    development build (`make model`) when that has the same digest, or distilled now."""
    digest = distill.inputs_digest(texts, terms_file)
    target = model_path(settings.resolved_artifacts_dir, digest)
    if distill.is_current(target, digest):
        return target
    development = settings.var_dir / "models" / "policy-static-zh"
    if distill.is_current(development, digest):
        target.parent.mkdir(parents=True, exist_ok=True)
        copy = Path(tempfile.mkdtemp(prefix=".copy-", dir=target.parent))
        shutil.copytree(development, copy, dirs_exist_ok=True)
        copy.rename(target)
        return target
    say("distilling the embedding model for the new vocabulary (about two minutes)")
    distill.distil(texts, target, terms_file=terms_file, progress=False)
    return target


def _build(tree: Path, settings: Settings, origin: str, summary: str, say: Progress,
           unless_same_as: KbVersion | None = None) -> _Build | None:
    """Build a complete version in a hidden folder; None (nothing built) when its digests
    equal those of `unless_same_as`, which is known before the slow steps run."""
    created = dt.datetime.now(dt.UTC)
    version_id = created.strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(2)
    root = versions_dir(settings) / f".building-{version_id}"
    root.mkdir(parents=True)
    try:
        knowledge = root / "knowledge"
        knowledge.mkdir()
        _copy_tree(tree, knowledge)
        version_settings = settings.for_knowledge(knowledge)
        catalog = Catalog.from_settings(version_settings)
        bank = QuestionBank.load(catalog, version_settings.questions_dir)
        say("checking the vocabulary of the embedding model")
        model_dir = _distilled_model(settings, distillation_texts(catalog, bank, version_settings.terms_file),
                                     version_settings.terms_file, say)
        version_settings = version_settings.model_copy(
            update={"distilled_model_dir": model_dir, "index_dir": root / "index"})
        say("generating the bot's training data")
        inputs = training.prepare(version_settings, root / "bot", model_dir)
        digests = {"knowledge": _digest(tree_digests(knowledge)), "model": model_dir.name,
                   "index": index_inputs(version_settings, f"{MODEL_ID_PREFIX}{model_dir.name}"),
                   "rasa": inputs.digest}
        if unless_same_as is not None and unless_same_as.manifest.get("digests") == digests:
            shutil.rmtree(root, ignore_errors=True)
            return None
        say("building the search index")
        build_index(version_settings, progress=False)
        rasa_out = rasa_model_path(settings.resolved_artifacts_dir, inputs.digest)
        retrained = not rasa_out.is_file()
        if retrained:
            say("training the Rasa model for the new training data (about two minutes)")
            training.train(inputs, rasa_out, say)
        manifest = {
            "id": version_id, "created_at": created.isoformat(timespec="seconds"),
            "summary": summary, "origin": origin,
            "documents": [{"doc_id": d.info.doc_id, "title": d.info.title,
                           "short_name": d.info.name,
                           "checksum": d.checksum, "measures": len(d.measures)}
                          for d in catalog.documents],
            "digests": digests, "rasa_retrained": retrained,
        }
        (root / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        return _Build(root, manifest)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


@contextmanager
def _exclusive(settings: Settings) -> Iterator[None]:
    """One publish or rollback at a time, across processes (CLI and admin pages)."""
    settings.resolved_kb_dir.mkdir(parents=True, exist_ok=True)
    with (settings.resolved_kb_dir / ".publish.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def publish(tree: Path, *, origin: str = "cli", settings: Settings | None = None,
            progress: Progress | None = None, if_changed: bool = False) -> VersionInfo:
    """Validate, build and switch to a new version of the tree; the new version's info.
    if_changed: when it would be built from exactly what the live version was, keep that."""
    settings = settings or get_settings()
    say = progress or _quiet
    problems = validate(tree, settings)
    if problems:
        raise PublishRejected(problems)
    with _exclusive(settings), PendingQuestions(settings.pending_questions_dir).locked():
        previous = live(settings)
        pending = _merge_pending(tree, settings)
        changes = diff(tree, settings)
        build = _build(tree, settings, origin, changes.summary(), say,
                       unless_same_as=previous if if_changed else None)
        if build is None:
            assert previous is not None
            say(f"nothing changed: version {previous.id} stays live")
            return VersionInfo.of(previous, previous.id)
        final = versions_dir(settings) / build.manifest["id"]
        build.root.rename(final)
        version = get(settings, final.name)
        _switch(settings, previous, version, say)
        for path in pending:
            path.unlink(missing_ok=True)
        prune(settings, max(2, settings.keep_versions))
        return VersionInfo.of(version, version.id)


def versions(settings: Settings | None = None) -> list[VersionInfo]:
    settings = settings or get_settings()
    current = live(settings)
    return [VersionInfo.of(v, current.id if current else None) for v in all_versions(settings)]


def rollback(version_id: str | None = None, *, settings: Settings | None = None,
             progress: Progress | None = None) -> VersionInfo:
    """Make the named version live again, or the one published before the live one."""
    settings = settings or get_settings()
    with _exclusive(settings):
        current = live(settings)
        if version_id is None:
            older = [v for v in all_versions(settings) if current is None or v.id < current.id]
            if not older:
                raise PublishFailed("there is no earlier version to roll back to")
            target = older[0]
        else:
            target = get(settings, version_id)
        _switch(settings, current, target, progress or _quiet)
        return VersionInfo.of(target, target.id)


# ---- switching the running services -----------------------------------------------------

def _switch(settings: Settings, previous: KbVersion | None, target: KbVersion, say: Progress) -> None:
    set_live(settings, target.id)
    try:
        _await_answer_services(settings, target.id, say)
        _load_rasa_model(settings, target, say)
    except PublishFailed:
        if previous is not None:
            set_live(settings, previous.id)
            with suppress(PublishFailed):
                _load_rasa_model(settings, previous, _quiet)
        else:
            (settings.resolved_kb_dir / "LIVE").unlink(missing_ok=True)
        raise
    say(f"version {target.id} is live")


def answer_service_urls(settings: Settings) -> list[str]:
    urls = [u.strip().rstrip("/") for u in settings.api_urls.split(",") if u.strip()]
    return urls or [f"http://127.0.0.1:{settings.port}"]


def _await_answer_services(settings: Settings, version_id: str, say: Progress) -> None:
    for url in answer_service_urls(settings):
        deadline = time.monotonic() + SWITCH_TIMEOUT
        while True:
            try:
                health = httpx.get(f"{url}/health", timeout=5).json()
            except (httpx.HTTPError, ValueError):
                say(f"no answer service at {url}: it will serve the new version when it starts")
                break
            if health.get("kb_version") == version_id:
                say(f"the answer service at {url} serves the new version")
                break
            if time.monotonic() > deadline:
                raise PublishFailed(f"the answer service at {url} did not switch to {version_id} "
                                    f"within {SWITCH_TIMEOUT:.0f} s (it serves {health.get('kb_version')})")
            time.sleep(0.2)


def _load_rasa_model(settings: Settings, target: KbVersion, say: Progress) -> None:
    """Every Rasa process of POLICYBOT_RASA_URL loads the version's model."""
    for url in settings.rasa_urls:
        _load_one_rasa_model(settings, url, target, say)


def _load_one_rasa_model(settings: Settings, url: str, target: KbVersion, say: Progress) -> None:
    model = target.rasa_model
    if model is None:
        return
    params = {"token": secret(settings, RASA_TOKEN)}
    try:
        status = httpx.get(f"{url}/status", params=params, timeout=10)
    except httpx.HTTPError:
        say(f"Rasa is not running at {url}: it will load the new model when it starts")
        return
    if status.status_code in (401, 403):
        raise PublishFailed(f"Rasa at {url} refused the model-API token (POLICYBOT_RASA_TOKEN)")
    if status.status_code != 200:
        raise PublishFailed(f"Rasa at {url} has no model API (started without --enable-api?): "
                            f"restart it to serve {target.id}")
    if Path(str(status.json().get("model_file", ""))).name == model.name:
        return
    say("Rasa is loading the new model")
    try:
        loaded = httpx.put(f"{url}/model", params=params, json={"model_file": str(model.resolve())},
                           timeout=RASA_LOAD_TIMEOUT)
    except httpx.HTTPError as exc:
        raise PublishFailed(f"Rasa at {url} did not load {model.name}: {exc}") from exc
    if loaded.status_code != 204:
        raise PublishFailed(f"Rasa at {url} did not load {model.name}: "
                            f"{loaded.status_code} {loaded.text[:300]}")
    say("Rasa serves the new model")
