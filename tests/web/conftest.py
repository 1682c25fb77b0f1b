"""Browser-test fixtures: one real server without Rasa, one headless chromium per session.

The server's Rasa URL points at a closed port, so the chat proxy's "Rasa is down" path
is real; widget tests that need answers use the `live_stack` fixture (tests/conftest.py),
which runs a trained Rasa.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.conftest import ROOT
from tests.web.servers import Server, free_port, serve

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "var" / "screenshots"


@pytest.fixture(scope="session")
def web_server(default_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    work_dir = tmp_path_factory.mktemp("web-server")
    with serve(default_index_dir, work_dir, rasa_url=f"http://127.0.0.1:{free_port()}") as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (scripts/install-browser.sh) first")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh profile per test: empty localStorage, so no conversation token yet."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
