"""Publishing and rolling back while the assistant keeps answering, with the real servers.

A knowledge-base folder of its own (a copy of the live seed version; the models are
shared with the developer's var/kb, so nothing is retrained that need not be), one
`policybot serve` following it, one Rasa with its model API on loopback, and the
`policybot kb publish | rollback` commands as a maintainer runs them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from knowledge.settings import get_settings
from knowledge.versions import LIVE, live
from tests.conftest import ROOT, SOURCE
from tests.live import RASA_TOKEN, api_server, free_port, rasa_server

pytestmark = pytest.mark.e2e
POLICYBOT = str(Path(sys.executable).parent / "policybot")
OLD_END, NEW_END = "最长可延至2023年6月30日", "最长可延至2024年12月31日"
TODAY = "2024-06-01"


@dataclass
class KbStack:
    api_url: str
    rasa_url: str
    kb_dir: Path
    env: dict[str, str]

    def kb(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`policybot kb …` against this stack, as a maintainer runs it."""
        return subprocess.run([POLICYBOT, "kb", *args], cwd=ROOT, env=self.env, text=True,
                              capture_output=True, timeout=900)

    def ask(self, message: str) -> str:
        response = httpx.post(f"{self.api_url}/api/chat", json={"message": message}, timeout=60)
        response.raise_for_status()
        return "\n".join(str(m["text"]) for m in response.json()["messages"])


@pytest.fixture(scope="module")
def kb_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KbStack]:
    seed = live(get_settings())
    if seed is None:
        pytest.fail("nothing is published in var/kb: run `make setup`")
    work = tmp_path_factory.mktemp("kb-stack")
    kb_dir = work / "kb"
    shutil.copytree(seed.root, kb_dir / "versions" / seed.id)
    (kb_dir / LIVE).write_text(seed.id + "\n", encoding="utf-8")
    rasa_port = free_port()
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    shared = {"POLICYBOT_KB_DIR": str(kb_dir),
              "POLICYBOT_ARTIFACTS_DIR": str(get_settings().resolved_artifacts_dir.resolve()),
              "POLICYBOT_RASA_URL": rasa_url, "POLICYBOT_RASA_TOKEN": RASA_TOKEN}
    # "Today" between the document's loan deadline and the amended one.
    with api_server(None, rasa_url, work, {**shared, "POLICYBOT_KB_POLL_SECONDS": "0.5",
                                           "POLICYBOT_TODAY": TODAY}) as api_url, \
            rasa_server(api_url, work / "tracker.db", work / "rasa.log", port=rasa_port,
                        model=seed.rasa_model):
        env = {**os.environ, **shared, "POLICYBOT_API_URLS": api_url, "POLICYBOT_TODAY": TODAY}
        yield KbStack(api_url, rasa_url, kb_dir, env)


def amended_source(tmp_path: Path, old: str, new: str) -> Path:
    """The shipped document with one passage changed, under its own file name."""
    text = SOURCE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / SOURCE.name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@dataclass
class ChatLoad:
    """Ten senders asking through /api/chat in a loop until stopped; every answer counted."""

    url: str
    statuses: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def sender(self, i: int) -> None:
        questions = ["贷款到期还不上能延期吗?", "第44条", "出口信用保险保费能补贴多少?", "那找哪个部门?"]
        token: str | None = None
        turn = 0
        with httpx.Client(timeout=60) as client:
            while not self.stop.is_set():
                body: dict[str, object] = {"message": questions[(i + turn) % len(questions)]}
                if token:
                    body["sender"] = token
                try:
                    response = client.post(self.url, json=body)
                    self.statuses.append(response.status_code)
                    if response.status_code == 200:
                        token = response.json()["sender"]
                except httpx.HTTPError as exc:
                    self.errors.append(f"{type(exc).__name__}: {exc}")
                turn += 1

    def __enter__(self) -> ChatLoad:
        self.threads = [threading.Thread(target=self.sender, args=(i,)) for i in range(10)]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        time.sleep(1)  # a few turns on the new version too
        self.stop.set()
        for thread in self.threads:
            thread.join()


def test_publish_under_load_then_roll_back(kb_stack: KbStack, tmp_path: Path) -> None:
    before = kb_stack.ask("第44条")
    assert "2023年6月30日" in before and "2024年12月31日" not in before
    amended = amended_source(tmp_path, OLD_END, NEW_END)
    diff = kb_stack.kb("diff", str(amended))
    assert diff.returncode == 0, diff.stderr
    assert "第44条" in diff.stdout and "2024年12月31日" in diff.stdout

    with ChatLoad(f"{kb_stack.api_url}/api/chat") as load:
        published = kb_stack.kb("publish", str(amended), "--yes", "--json")
    assert published.returncode == 0, published.stderr
    assert load.errors == [] and set(load.statuses) == {200}, (load.errors[:3], set(load.statuses))
    assert len(load.statuses) > 20
    after = kb_stack.ask("第44条")
    assert "2024年12月31日" in after and "目前仍在有效期内" in after

    with ChatLoad(f"{kb_stack.api_url}/api/chat") as load:
        rolled = kb_stack.kb("rollback")
    assert rolled.returncode == 0, rolled.stderr
    assert load.errors == [] and set(load.statuses) == {200}
    assert "2023年6月30日" in kb_stack.ask("第44条")


def test_an_invalid_document_changes_nothing(kb_stack: KbStack, tmp_path: Path) -> None:
    live_before = (kb_stack.kb_dir / LIVE).read_text(encoding="utf-8")
    broken = amended_source(tmp_path, "(责任单位:区金融局)", "")
    result = kb_stack.kb("publish", str(broken), "--yes")
    assert result.returncode == 1
    assert f"{broken.name}:67:" in result.stdout or f"{broken}:67:" in result.stdout, result.stdout
    assert (kb_stack.kb_dir / LIVE).read_text(encoding="utf-8") == live_before
    assert "2023年6月30日" in kb_stack.ask("第44条")


def _entities(stack: KbStack, text: str) -> list[str]:
    """The entity values Rasa's NLU (its model API) finds in a text."""
    response = httpx.post(f"{stack.rasa_url}/model/parse", params={"token": RASA_TOKEN},
                          json={"text": text}, timeout=30)
    response.raise_for_status()
    return [str(e["value"]) for e in response.json()["entities"]]


def test_rasa_serves_the_new_model_after_a_publish_that_changes_nlu_inputs(
        kb_stack: KbStack, tmp_path: Path) -> None:
    question = "外经局负责哪些措施?"
    assert "区商务局" not in _entities(kb_stack, question)
    table = (kb_stack.kb_dir / "versions" / live_id(kb_stack) / "knowledge" / "departments.yml")
    departments = tmp_path / "departments.yml"
    departments.write_text(table.read_text(encoding="utf-8").replace(
        "区商务局: [商务局,", "区商务局: [外经局, 商务局,"), encoding="utf-8")
    published = kb_stack.kb("publish", str(departments), "--yes", "--json")
    assert published.returncode == 0, published.stderr
    assert '"rasa_retrained": true' in published.stdout
    assert "区商务局" in _entities(kb_stack, question)
    assert "区商务局负责以下" in kb_stack.ask(question)


def live_id(stack: KbStack) -> str:
    return (stack.kb_dir / LIVE).read_text(encoding="utf-8").strip()
