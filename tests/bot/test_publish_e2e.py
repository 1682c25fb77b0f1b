"""Publishing and rolling back while the assistant keeps answering, with the real servers.

A knowledge-base folder of its own (a copy of the live seed version; the models are
shared with the developer's var/kb, so nothing is retrained that need not be), one
`policybot serve` following it, one Rasa with its model API on loopback, and the
`policybot kb publish | rollback` commands as a maintainer runs them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from knowledge.versions import LIVE
from tests.conftest import SOURCE
from tests.live import RASA_TOKEN, ChatLoad, KbStack, start_kb_stack

pytestmark = pytest.mark.e2e
OLD_END, NEW_END = "最长可延至2023年6月30日", "最长可延至2024年12月31日"
TODAY = "2024-06-01"


@pytest.fixture(scope="module")
def kb_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KbStack]:
    with start_kb_stack(tmp_path_factory.mktemp("kb-stack"), today=TODAY) as stack:
        yield stack


def amended_source(tmp_path: Path, old: str, new: str) -> Path:
    """The shipped document with one passage changed, under its own file name."""
    text = SOURCE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / SOURCE.name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


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
    before = json.loads((kb_stack.kb_dir / "versions" / live_id(kb_stack) / "manifest.json").read_text())
    published = kb_stack.kb("publish", str(departments), "--yes", "--json")
    assert published.returncode == 0, published.stderr
    version = json.loads(published.stdout)
    assert version["summary"] == "files changed 1"
    after = json.loads((kb_stack.kb_dir / "versions" / version["id"] / "manifest.json").read_text())
    # A new Rasa model (trained now, or earlier for the same inputs: models are shared by digest).
    assert after["digests"]["rasa"] != before["digests"]["rasa"]
    assert "区商务局" in _entities(kb_stack, question)
    assert "区商务局负责以下" in kb_stack.ask(question)


def live_id(stack: KbStack) -> str:
    return (stack.kb_dir / LIVE).read_text(encoding="utf-8").strip()
