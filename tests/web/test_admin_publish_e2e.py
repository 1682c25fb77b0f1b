"""Publishing through /admin with the real api.publishing (issue 13): a maintainer logs in,
uploads a document with an error and sees its line, uploads the amended document, reads
the diff, publishes it (a question added from the report goes into the new version's
bank), sees the answer service serve it, and rolls back.

It needs the lead's api.publishing and knowledge.versions and a published seed version
(`make setup` publishes knowledge/); where they are missing it is skipped. The server
runs in this process over a knowledge-base folder of its own (a copy of the live seed;
the models are shared with the developer's var/kb, so nothing is rebuilt that need not
be), with the settings in the environment, which is what api.publishing reads.
"""

from __future__ import annotations

import importlib
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import FilePayload, Page, expect

from api.app import create_app
from api.conversations import BotMessage, ConversationStore
from knowledge.settings import get_settings
from tests.conftest import SOURCE, without_responsible_units
from tests.live import free_port
from tests.web.servers import in_process

try:
    importlib.import_module("api.publishing")
    from knowledge.versions import LIVE, live
except ImportError:  # before the lead's module is merged
    pytest.skip("api.publishing is not in this build", allow_module_level=True)

pytestmark = pytest.mark.e2e

TOKEN = "publish-e2e-admin-token-0123456789"
OLD_END, NEW_END = "最长可延至2023年6月30日", "最长可延至2024年12月31日"
QUESTION = "贷款延期还本最晚可以延到哪天"


@dataclass
class Stack:
    url: str
    kb_dir: Path


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    seed = live(get_settings())
    if seed is None:
        pytest.fail("nothing is published in var/kb: run `make setup`")
    work = tmp_path_factory.mktemp("admin-publish")
    kb_dir = work / "kb"
    shutil.copytree(seed.root, kb_dir / "versions" / seed.id)
    (kb_dir / LIVE).write_text(seed.id + "\n", encoding="utf-8")
    ConversationStore(work / "chat.sqlite").add_exchange("s", QUESTION, [BotMessage("抱歉……", custom={
        "citations": [], "answerable": False})])
    env = {"POLICYBOT_KB_DIR": str(kb_dir), "POLICYBOT_VAR_DIR": str(work),
           "POLICYBOT_ARTIFACTS_DIR": str(seed.artifacts.resolve()),  # models shared, not rebuilt
           "POLICYBOT_CONVERSATIONS_DB": str(work / "chat.sqlite"),
           # No Rasa and no other answer service to wait for: this one follows LIVE itself.
           "POLICYBOT_RASA_URL": f"http://127.0.0.1:{free_port()}",
           "POLICYBOT_API_URLS": f"http://127.0.0.1:{free_port()}",
           "POLICYBOT_KB_POLL_SECONDS": "0.3", "POLICYBOT_TODAY": "2024-06-01",
           "POLICYBOT_ADMIN_TOKEN": TOKEN, "POLICYBOT_ADMIN_SECRET_KEY": "e2e-key",
           "POLICYBOT_SECRET_KEY": "e2e-signing-key", "POLICYBOT_ACTION_TOKEN": "e2e-action-token"}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        get_settings.cache_clear()
        try:
            with in_process(create_app(settings=get_settings())) as url:
                yield Stack(url, kb_dir)
        finally:
            get_settings.cache_clear()


def measure_44(stack: Stack) -> str:
    return str(httpx.get(f"{stack.url}/api/measures/44", timeout=10).json()["text"])


def served_eventually(stack: Stack, expected: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while expected not in measure_44(stack):
        assert time.monotonic() < deadline, f"measure 44 still reads: {measure_44(stack)}"
        time.sleep(0.3)


def upload(page: Page, name: str, text: str) -> None:
    payload: FilePayload = {"name": name, "mimeType": "text/plain", "buffer": text.encode("utf-8")}
    page.get_by_label("文件", exact=True).set_input_files(files=[payload])
    page.get_by_role("button", name="检查文件").click()


def test_publish_and_roll_back_through_the_admin(page: Page, stack: Stack) -> None:
    assert OLD_END in measure_44(stack)
    page.goto(f"{stack.url}/admin")
    page.get_by_label("管理口令").fill(TOKEN)
    page.get_by_label("管理口令").press("Enter")
    seed_id = (stack.kb_dir / LIVE).read_text(encoding="utf-8").strip()
    expect(page.locator(".version.live h3")).to_contain_text(seed_id)

    # The question the chat could not answer goes into the bank with the next publish.
    page.goto(f"{stack.url}/admin/report")
    finding = page.locator(".finding").filter(has_text=QUESTION)
    finding.get_by_label("对应措施编号").fill("44")
    finding.get_by_role("button", name="加入题库").click()
    expect(page.locator(".pending-list li")).to_contain_text(QUESTION)
    page.goto(f"{stack.url}/admin")

    broken, line = without_responsible_units(44)
    upload(page, SOURCE.name, broken)
    expect(page.locator("#problems li").first).to_contain_text(f"{SOURCE.name} 第{line}行")
    expect(page.get_by_role("button", name="发布此版本")).to_be_hidden()

    upload(page, SOURCE.name, SOURCE.read_text(encoding="utf-8").replace(OLD_END, NEW_END))
    expect(page.locator("#diff")).to_contain_text("第44条")
    expect(page.locator("#diff")).to_contain_text("2024")
    page.get_by_role("button", name="发布此版本").click()
    expect(page.locator("#steps li").first).to_be_visible(timeout=60_000)
    # Rasa is retrained only when its inputs changed (a few minutes when they did).
    expect(page).to_have_url(re.compile(r"/admin\?done=published"), timeout=600_000)
    new_id = (stack.kb_dir / LIVE).read_text(encoding="utf-8").strip()
    assert new_id != seed_id
    expect(page.locator(".version.live h3")).to_contain_text(new_id)
    served_eventually(stack, NEW_END)
    bank = stack.kb_dir / "versions" / new_id / "knowledge" / "questions"
    assert QUESTION in "".join(
        p.read_text(encoding="utf-8") for p in bank.glob("*.yml"))
    expect(page.locator(".pending-list")).to_have_count(0)  # merged, so no longer pending

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile(rf"^回滚到此版本\s*{seed_id}$")).click()
    expect(page.locator("#message")).to_contain_text(f"已回滚到知识库版本 {seed_id}")
    assert (stack.kb_dir / LIVE).read_text(encoding="utf-8").strip() == seed_id
    served_eventually(stack, OLD_END)
