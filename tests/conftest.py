"""Shared fixtures: the real source document and a pinned "today"."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from knowledge.catalog import Catalog
from knowledge.settings import get_settings

if TYPE_CHECKING:
    from tests.live import LiveStack
    from tests.stores import Server

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "knowledge" / "sources" / "hongqi-2023-measures.txt"
PinToday = Callable[[str], None]


def without_responsible_units(number: int) -> tuple[str, int]:
    """The real document with one measure's "(责任单位:…)" removed, and that measure's line:
    a document that fails validation at a known place."""
    lines = SOURCE.read_text(encoding="utf-8").split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(f"{number}."))
    lines[index] = re.sub(r"[((]责任单位[::][^))]*[))]", "", lines[index])
    return "\n".join(lines), index + 1


@pytest.fixture(scope="session")
def source_lines() -> list[str]:
    return SOURCE.read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> Iterator[PinToday]:
    """Pin POLICYBOT_TODAY for one test: call the fixture with a date string."""

    def pin(day: str) -> None:
        monkeypatch.setenv("POLICYBOT_TODAY", day)
        get_settings.cache_clear()

    yield pin
    get_settings.cache_clear()


@pytest.fixture
def private_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty data directory (POLICYBOT_VAR_DIR) for one test, so commands that write
    under var/ (pending questions, secrets) never touch the developer's."""
    monkeypatch.setenv("POLICYBOT_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def cli(*args: str) -> tuple[int, str, str]:
    """`policybot ARGS` through click's runner: exit code, stdout, stderr."""
    from click.testing import CliRunner

    from api.cli import main

    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="session")
def default_index_dir() -> Path:
    """The live knowledge-base version's index: what `make setup` published from knowledge/
    with the default model (tests only read it)."""
    from knowledge.versions import live

    version = live(get_settings())
    if version is None:
        pytest.fail("nothing is published in var/kb: run `make setup` (it publishes knowledge/)")
    return version.index_dir


@pytest.fixture(scope="session")
def live_stack(default_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    """The answer service and a real Rasa server with the trained bot, shared by the session."""
    from tests.live import live_stack as start

    with start(default_index_dir, tmp_path_factory.mktemp("live")) as stack:
        yield stack


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    """A private PostgreSQL server for the session (tests/stores.py); tests that use it
    are e2e and take a database of their own with `postgres_url`."""
    from tests.stores import private_postgres

    with private_postgres() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: Server) -> str:
    """A fresh, empty PostgreSQL database for one test (postgresql+psycopg://…)."""
    from tests.stores import new_database

    return new_database(postgres_server)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[Server]:
    """A private Redis server for the session (tests/stores.py)."""
    from tests.stores import private_redis

    with private_redis() as server:
        yield server
