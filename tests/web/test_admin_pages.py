"""The admin pages in headless chromium: log in, upload a document with an error and see
its line, publish with progress, roll back, turn a reported question into a bank entry;
axe-core with zero violations in every state, keyboard use, focus rings, reflow.

The server runs in this process (uvicorn in a thread) over the fake embedder's services,
with tests/fake_publishing.py standing in for api.publishing, so the pages are tested
without building an index or training Rasa. The pages' Content-Security-Policy stays on
(axe is injected through the DevTools protocol, which it does not restrict).
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, FilePayload, Page, expect

from api.app import create_app
from api.conversations import BotMessage, ConversationStore
from api.services import Services
from knowledge.catalog import Catalog
from tests.api.conftest import settings_for_tests
from tests.conftest import SOURCE, without_responsible_units
from tests.fake_publishing import MODULE, FakePublishing
from tests.fakes import fake_services
from tests.web.a11y import assert_no_axe_violations, contrast_ratios, reflow_problems
from tests.web.servers import in_process

pytestmark = pytest.mark.e2e

TOKEN = "browser-test-admin-token-0123456789"


@dataclass
class AdminServer:
    url: str
    work_dir: Path
    publishing: FakePublishing


@contextmanager
def admin_server(services: Services, work_dir: Path, **settings: Any) -> Iterator[str]:
    """The whole app over these services, with its data in work_dir, in this process."""
    app = create_app(services, settings_for_tests(**{
        "var_dir": work_dir, "conversations_db": work_dir / "chat.sqlite", "admin_secret_key": "browser-key",
        **settings}))
    with in_process(app) as url:
        yield url


@pytest.fixture(scope="module")
def admin_services(catalog: Catalog) -> Services:
    return fake_services(catalog, settings_for_tests())


@pytest.fixture(scope="module")
def server(admin_services: Services, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AdminServer]:
    work_dir = tmp_path_factory.mktemp("admin-server")
    seed_conversations(work_dir / "chat.sqlite")
    publishing = FakePublishing(step_seconds=0.1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, MODULE, publishing.module())
        with admin_server(admin_services, work_dir, admin_token=TOKEN) as url:
            yield AdminServer(url, work_dir, publishing)


def seed_conversations(db: Path) -> None:
    store = ConversationStore(db)
    nothing = {"citations": [], "answerable": False}
    store.add_exchange("a", "营业执照怎么注销?", [BotMessage("抱歉……", custom=nothing)])
    store.add_exchange("b", "公司不干了,营业执照怎么注销", [BotMessage("抱歉……", custom=nothing)])
    store.add_exchange("c", "营业执照怎么注销", [BotMessage("抱歉……", custom=nothing)])
    answered = store.add_exchange("d", "去国外参展展位费补贴多少?", [BotMessage("根据第52条……", custom={
        "citations": [52], "answerable": True, "confidence": 0.99})])
    store.rate("d", answered[0].id, "down")
    store.add_exchange("e", "六税两费减半还能享受吗?", [BotMessage("根据第20条……", custom={
        "citations": [20], "answerable": True, "confidence": 0.71})])


def log_in(page: Page, url: str) -> None:
    page.goto(f"{url}/admin")
    page.get_by_label("管理口令").fill(TOKEN)
    page.get_by_label("管理口令").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("知识库管理")


def choose(page: Page, name: str, data: bytes) -> None:
    payload: FilePayload = {"name": name, "mimeType": "text/plain", "buffer": data}
    page.get_by_label("文件", exact=True).set_input_files(files=[payload])


# ---- the whole path of a maintainer ----------------------------------------------------------

def test_login_check_publish_and_roll_back(page: Page, server: AdminServer, screenshots: Path) -> None:
    response = page.goto(f"{server.url}/admin")
    assert response is not None and response.status == 401
    assert_no_axe_violations(page, "admin login")
    page.get_by_label("管理口令").fill("wrong")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_have_text("口令不正确,请重新输入。")
    expect(page.get_by_label("管理口令")).to_be_focused()
    assert_no_axe_violations(page, "admin login, wrong token")
    log_in(page, server.url)
    expect(page.locator(".version.live")).to_have_count(1)
    assert_no_axe_violations(page, "admin dashboard")

    text, line = without_responsible_units(7)
    choose(page, "new-doc.txt", text.encode("utf-8"))
    page.get_by_role("button", name="检查文件").click()
    problems = page.locator("#problems li")
    expect(problems.first).to_contain_text(f"new-doc.txt 第{line}行")
    expect(problems.first).to_contain_text("measure 7 has no responsible units")
    expect(page.locator("#check-title")).to_be_focused()
    expect(page.get_by_role("button", name="发布此版本")).to_be_hidden()
    assert_no_axe_violations(page, "admin check with problems")
    page.screenshot(path=str(screenshots / "admin-check-problems.png"), full_page=True)

    choose(page, "hongqi-2024.txt", SOURCE.read_bytes())
    page.get_by_role("button", name="检查文件").click()
    expect(page.locator("#diff")).to_have_text("documents changed: hongqi-2024 (75 measures)")
    expect(page.locator("#problems")).to_be_hidden()
    assert_no_axe_violations(page, "admin check passed, with the diff")

    server.publishing.gate = threading.Event()  # the publish waits here until released
    page.get_by_role("button", name="发布此版本").click()
    expect(page.locator("#steps li")).to_have_text(["validating", "building the index", "training Rasa"])
    expect(page.locator("#publish-status")).to_have_text("正在发布……")
    assert_no_axe_violations(page, "admin publishing in progress")
    server.publishing.gate.set()
    expect(page).to_have_url(re.compile(r"/admin\?done=published&version=v2-"), timeout=15_000)
    expect(page.get_by_role("status").first).to_contain_text("已发布知识库版本 v2-")
    expect(page.locator(".version.live h3")).to_contain_text("v2-")
    assert_no_axe_violations(page, "admin after publishing")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile(r"^回滚到此版本\s*20261130T080000Z$")).click()
    expect(page.locator("#message")).to_have_text("已回滚到知识库版本 20261130T080000Z,现在正在使用。")
    expect(page.locator("#message")).to_be_focused()
    expect(page.locator(".version.live h3")).to_contain_text("20261130T080000Z")
    assert [v.live for v in server.publishing.versions()] == [False, True]
    page.screenshot(path=str(screenshots / "admin-dashboard.png"), full_page=True)


def test_a_cancelled_rollback_changes_nothing(page: Page, server: AdminServer) -> None:
    log_in(page, server.url)
    live = [v.id for v in server.publishing.versions() if v.live]
    if len(server.publishing.versions()) < 2:
        pytest.skip("needs a second version (published by the test above)")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator("form[action='/admin/rollback'] button").first.click()
    expect(page.locator("#message")).to_be_hidden()
    assert [v.id for v in server.publishing.versions() if v.live] == live


def test_report_to_question_bank(page: Page, server: AdminServer, screenshots: Path) -> None:
    log_in(page, server.url)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="用户问题报告").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("用户问题报告")
    groups = page.locator(".finding h2")
    expect(groups).to_have_text(["“六税两费减半还能享受吗?”", "“去国外参展展位费补贴多少?”",
                                 "“营业执照怎么注销”", "“公司不干了,营业执照怎么注销”"])
    assert_no_axe_violations(page, "admin report")
    third = page.locator(".finding").nth(2)
    expect(third.locator(".meta")).to_contain_text("2次")
    third.get_by_label("对应措施编号").fill("99")
    third.get_by_role("button", name="加入题库").click()
    third = page.locator(".finding").nth(2)
    expect(third.get_by_role("alert")).to_contain_text("没有第99条措施")
    expect(third.get_by_label("对应措施编号")).to_have_attribute("aria-invalid", "true")
    expect(third.get_by_label("对应措施编号")).to_be_focused()
    assert_no_axe_violations(page, "admin report, a question refused")
    third.get_by_label("对应措施编号").fill("44")
    third.get_by_label("对应措施编号").press("Enter")
    expect(page.locator("#message")).to_have_text("已加入待发布题库,下次发布时生效。")
    expect(page.locator(".finding").nth(2)).to_contain_text("已在待发布题库")
    expect(page.locator(".pending-list li")).to_contain_text("“营业执照怎么注销”")
    assert_no_axe_violations(page, "admin report with a pending question")
    page.screenshot(path=str(screenshots / "admin-report.png"), full_page=True)
    page.get_by_role("button", name=re.compile(r"^移除\s*“营业执照怎么注销”$")).click()
    expect(page.locator("#message")).to_have_text("已从待发布题库中移除。")
    expect(page.locator(".pending-list")).to_have_count(0)


def test_the_disabled_admin_says_how_to_enable_it(page: Page, admin_services: Services,
                                                  tmp_path: Path) -> None:
    with admin_server(admin_services, tmp_path, admin_token="") as url:
        response = page.goto(f"{url}/admin")
        assert response is not None and response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("管理功能未启用")
        expect(page.locator("main")).to_contain_text("POLICYBOT_ADMIN_TOKEN")
        assert_no_axe_violations(page, "admin disabled")


# ---- keyboard, focus, reflow, contrast ---------------------------------------------------------

_FOCUSED = """() => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  return [el.outerHTML.slice(0, 90), s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2];
}"""


def test_keyboard_only_login_and_focus_rings(page: Page, server: AdminServer) -> None:
    page.goto(f"{server.url}/admin")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="跳到主要内容")).to_be_focused()
    while not page.evaluate("document.activeElement.id === 'token'"):
        page.keyboard.press("Tab")
    page.keyboard.type(TOKEN)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("知识库管理")
    for path in ("/admin", "/admin/report"):
        page.goto(server.url + path)
        page.locator("body").focus()
        without = []
        for _ in range(25):
            page.keyboard.press("Tab")
            html, ring = page.evaluate(_FOCUSED)
            if not ring and not str(html).startswith("<body"):
                without.append(html)
        assert without == [], (path, without)


@pytest.fixture(params=[(320, 640, 1), (640, 430, 2)], ids=["320px", "zoom200"])
def narrow(request: pytest.FixtureRequest, browser: Browser) -> Iterator[tuple[str, BrowserContext]]:
    width, height, scale = request.param
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height},
                                  device_scale_factor=scale)
    context.set_default_timeout(10_000)
    yield request.node.callspec.id, context
    context.close()


def test_admin_pages_reflow(narrow: tuple[str, BrowserContext], server: AdminServer,
                            screenshots: Path) -> None:
    view, context = narrow
    page = context.new_page()
    log_in(page, server.url)
    text, _ = without_responsible_units(7)
    choose(page, "a-rather-long-document-name-2024-amended.txt", text.encode("utf-8"))
    page.get_by_role("button", name="检查文件").click()
    expect(page.locator("#problems li").first).to_be_visible()
    assert reflow_problems(page) == []
    page.screenshot(path=str(screenshots / f"admin-{view}.png"), full_page=True)
    page.goto(f"{server.url}/admin/report")
    assert reflow_problems(page) == []
    page.screenshot(path=str(screenshots / f"admin-report-{view}.png"), full_page=True)


def test_admin_controls_have_visible_edges(page: Page, server: AdminServer) -> None:
    log_in(page, server.url)
    edges = contrast_ratios(page, ".admin-form input:not([type=hidden]), .secondary", "edge")
    page.goto(f"{server.url}/admin/report")
    edges += contrast_ratios(page, ".admin-form input:not([type=hidden]), .secondary", "edge")
    texts = contrast_ratios(page, ".tag, .badge, .meta", "text")
    assert len(edges) >= 6 and min(v for _, v in edges) >= 3, edges
    assert texts and min(v for _, v in texts) >= 4.5, texts
