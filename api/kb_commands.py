"""`policybot kb publish | diff | versions | rollback | path`: the maintainers' lifecycle.

Kept apart from api/cli.py's read-only `kb` commands; both translate domain errors into
one message and an exit code: 1 for an invalid knowledge base (PATH:LINE lines),
3 for a missing version, 4 when a publish or rollback could not be completed (the
previous version is still live).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from api import publishing
from knowledge.errors import KnowledgeError
from knowledge.settings import get_settings
from knowledge.versions import VersionNotFound, live

EXIT_INVALID = 1
EXIT_NOT_FOUND = 3
EXIT_FAILED = 4


def _emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _rejected(exc: publishing.PublishRejected) -> NoReturn:
    for problem in exc.problems:
        click.echo(str(problem))
    _fail(f"{len(exc.problems)} problem(s); nothing was published", EXIT_INVALID)


def _progress(as_json: bool) -> publishing.Progress:
    """Steps as they happen, on stderr, so --json output stays parseable."""

    def say(step: str) -> None:
        click.echo(f"... {step}", err=True)

    return say


PathsArgument = click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))


@click.command("diff")
@PathsArgument
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def kb_diff(paths: tuple[Path, ...], as_json: bool) -> None:
    """What publishing PATHS would change against the live version."""
    if not paths:
        raise click.UsageError("give the documents (.txt), rule files or a knowledge folder to compare")
    try:
        tree = publishing.stage(list(paths))
    except publishing.PublishRejected as exc:
        _rejected(exc)
    try:
        problems = publishing.validate(tree)
        if problems:
            _rejected(publishing.PublishRejected(problems))
        changes = publishing.diff(tree)
    finally:
        shutil.rmtree(tree, ignore_errors=True)
    if as_json:
        _emit_json(changes.to_json())
    else:
        click.echo(changes.to_text())


@click.command("publish")
@PathsArgument
@click.option("--yes", "-y", is_flag=True, help="Do not ask before publishing.")
@click.option("--json", "as_json", is_flag=True, help="Print the new version as JSON.")
@click.option("--if-changed", is_flag=True, help="Keep the live version when nothing changed.")
@click.option("--seed", is_flag=True,
              help="Publish the shipped knowledge/ (what `make run` does): only when nothing is "
                   "live or the live version came from the seed too, and only when it changed.")
def kb_publish(paths: tuple[Path, ...], yes: bool, as_json: bool, if_changed: bool, seed: bool) -> None:
    """Validate PATHS on top of the live knowledge base, show the changes, build the new
    version and switch the running assistant to it (all or nothing)."""
    settings = get_settings()
    if seed:
        current = live(settings)
        if current is not None and current.manifest.get("origin") != "seed":
            click.echo(f"version {current.id} was published by a maintainer; the seed in knowledge/ "
                       "is not republished (`policybot kb publish knowledge` does that)")
            return
        paths, yes, if_changed = (publishing.SEED,), True, True
    if not paths:
        raise click.UsageError("give the documents (.txt), rule files or a knowledge folder to publish")
    try:
        tree = publishing.stage(list(paths), settings)
    except publishing.PublishRejected as exc:
        _rejected(exc)
    try:
        problems = publishing.validate(tree, settings)
        if problems:
            _rejected(publishing.PublishRejected(problems))
        if not yes:
            click.echo(publishing.diff(tree, settings).to_text())
            if not click.confirm("Publish this version?", default=False):
                _fail("not published", EXIT_FAILED)
        version = publishing.publish(tree, origin="seed" if seed else "cli", settings=settings,
                                     progress=_progress(as_json), if_changed=if_changed)
    except publishing.PublishRejected as exc:
        _rejected(exc)
    except (publishing.PublishFailed, KnowledgeError) as exc:
        _fail(f"{exc}; the previous version is still live", EXIT_FAILED)
    finally:
        shutil.rmtree(tree, ignore_errors=True)
    if as_json:
        _emit_json(version.to_json())
    else:
        retrained = " (Rasa retrained)" if version.rasa_retrained else ""
        click.echo(f"live: {version.id}{retrained}: {version.summary}")


@click.command("versions")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def kb_versions(as_json: bool) -> None:
    """Every kept version, newest first, and which one is live."""
    found = publishing.versions()
    if as_json:
        _emit_json([v.to_json() for v in found])
        return
    if not found:
        click.echo("nothing published yet (`make run` publishes knowledge/)")
    for v in found:
        documents = ", ".join(d.get("short_name") or d["doc_id"] for d in v.documents)
        click.echo(f"{'*' if v.live else ' '} {v.id}  {v.created_at}  {v.origin:<5}  "
                   f"{v.measure_count:>3} measures  {documents}  |  {v.summary}")


@click.command("rollback")
@click.argument("version_id", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the live version as JSON.")
def kb_rollback(version_id: str | None, as_json: bool) -> None:
    """Make the previous (or the named) version live again, Rasa included."""
    try:
        version = publishing.rollback(version_id, progress=_progress(as_json))
    except VersionNotFound as exc:
        _fail(str(exc), EXIT_NOT_FOUND)
    except publishing.PublishFailed as exc:
        _fail(f"{exc}; the live version is unchanged", EXIT_FAILED)
    if as_json:
        _emit_json(version.to_json())
    else:
        click.echo(f"live: {version.id}: {version.summary}")


@click.command("path")
@click.argument("what", type=click.Choice(["knowledge", "index", "model", "rasa-model"]))
def kb_path(what: str) -> None:
    """Print where the live version keeps WHAT (for scripts: run-all.sh starts Rasa on it)."""
    version = live(get_settings())
    if version is None:
        _fail("nothing is published yet: run `make setup` (it publishes knowledge/)", EXIT_NOT_FOUND)
    path = {"knowledge": version.knowledge_dir, "index": version.index_dir,
            "model": version.model_dir, "rasa-model": version.rasa_model}[what]
    if path is None:
        _fail(f"version {version.id} has no {what}", EXIT_NOT_FOUND)
    click.echo(str(path.resolve()))


COMMANDS = [kb_diff, kb_publish, kb_versions, kb_rollback, kb_path]
