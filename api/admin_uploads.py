"""Files a maintainer uploads through /admin, kept until they are published or replaced.

A check (validation and diff) and the publish that follows are two requests, possibly
minutes apart, so the uploaded bytes are kept on disk under var/admin/uploads/<id>/, by
their own (checked) names; only the newest few uploads are kept. Names are restricted to
plain file names of the kinds a knowledge tree holds (.txt documents, .yml sidecars and
rule files), so nothing uploaded can name a path outside its folder.

Before anything else, each document is parsed exactly as `policybot kb validate` does,
and each YAML file must be YAML: these problems carry the uploaded file's own name and
line, which is what the maintainer can fix.
"""

from __future__ import annotations

import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.errors import DocumentInvalid, Problem
from knowledge.parser import parse_bytes

MAX_FILES = 10
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_KINDS = (".txt", ".yml", ".yaml")
_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")


class UploadRejected(Exception):
    """The upload itself is unusable (names, count); the message is for the maintainer."""


@dataclass(frozen=True)
class Upload:
    id: str
    folder: Path
    files: list[Path]


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name) or not name.lower().endswith(_KINDS) or ".." in name:
        raise UploadRejected(f"文件名“{name[:60]}”不可用:只能包含字母、数字、点、下划线和连字符,"
                             "并以 .txt、.yml 或 .yaml 结尾。")
    return name


class Uploads:
    def __init__(self, root: Path, keep: int = 10) -> None:
        self.root = root
        self.keep = keep

    def save(self, files: list[tuple[str, bytes]]) -> Upload:
        if not files:
            raise UploadRejected("请选择至少一个文件。")
        if len(files) > MAX_FILES:
            raise UploadRejected(f"一次最多上传{MAX_FILES}个文件。")
        names = [check_name(name) for name, _ in files]
        if len(set(names)) != len(names):
            raise UploadRejected("有两个文件同名。")
        upload_id = secrets.token_urlsafe(16)
        folder = self.root / upload_id
        folder.mkdir(parents=True)
        paths = []
        for name, data in files:
            (folder / name).write_bytes(data)
            paths.append(folder / name)
        self._prune(keep=upload_id)
        return Upload(upload_id, folder, paths)

    def get(self, upload_id: str) -> Upload | None:
        if not _ID.fullmatch(upload_id):
            return None
        folder = self.root / upload_id
        if not folder.is_dir():
            return None
        return Upload(upload_id, folder, sorted(p for p in folder.iterdir() if p.is_file()))

    def _prune(self, keep: str) -> None:
        folders = sorted((p for p in self.root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime,
                         reverse=True)
        for old in folders[self.keep:]:
            if old.name != keep:
                shutil.rmtree(old, ignore_errors=True)


def precheck(upload: Upload) -> list[Problem]:
    """Problems a single file shows on its own, named by its uploaded name and line."""
    problems: list[Problem] = []
    for path in upload.files:
        raw = path.read_bytes()
        if path.suffix == ".txt":
            try:
                parse_bytes(raw, path=path.name, doc_id=path.stem)
            except DocumentInvalid as exc:
                problems.extend(exc.problems)
            continue
        try:
            yaml.safe_load(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            problems.append(Problem(path.name, line, "bytes that are not UTF-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problems.append(Problem(path.name, mark.line + 1 if mark else 1, f"not valid YAML: {exc}"))
    return problems
