"""The maintainers' report (api/report.py) over a real conversation store, and
`policybot report`. Grouping quality with the real model: test_report_grouping.py."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from api.conversations import BotMessage, ConversationStore, Exchange, Turn
from api.report import (
    LOW_CONFIDENCE,
    NO_CITATION,
    RATED_DOWN,
    Citation,
    assess,
    build_report,
    group_texts,
)
from index.embedder import Embedder
from tests.conftest import cli
from tests.fakes import fake_embedder

DOC = "hongqi-2023-measures"
NO_ANSWER: dict[str, Any] = {"citations": [], "departments": [], "validity": [], "answerable": False}


def cited(number: int, confidence: float) -> dict[str, Any]:
    return {"citations": [number], "answerable": True, "confidence": confidence}


def exchange(text: str, *replies: Turn, asked: str = "2026-11-30T08:00:00+00:00", qid: int = 1) -> Exchange:
    return Exchange(qid, "s", text, dt.datetime.fromisoformat(asked), list(replies))


def bot(custom: dict[str, Any] | None, rating: str | None = None) -> Turn:
    return Turn(2, "bot", "…", [], custom, rating)  # type: ignore[arg-type]


def by_identity(texts: list[str]) -> np.ndarray:
    """An encoder under which only identical texts are similar."""
    return np.eye(len(texts))


# ---- why an answer needs a look ------------------------------------------------------------

def test_reasons() -> None:
    assert assess(exchange("q", bot(NO_ANSWER)), 0.9).reasons == {NO_CITATION}  # type: ignore[union-attr]
    assert assess(exchange("q", bot(cited(44, 0.95))), 0.9) is None
    assert assess(exchange("q", bot(cited(44, 0.62))), 0.9).reasons == {LOW_CONFIDENCE}  # type: ignore[union-attr]
    down = assess(exchange("q", bot(cited(44, 0.99), "down")), 0.9)
    assert down is not None and down.reasons == {RATED_DOWN} and [c.number for c in down.cited] == [44]
    both = assess(exchange("q", bot(NO_ANSWER, "down")), 0.9)
    assert both is not None and both.reasons == {NO_CITATION, RATED_DOWN}
    # Small talk carries no citations key: not a knowledge gap. Up-votes are not findings.
    assert assess(exchange("你好", bot(None)), 0.9) is None
    assert assess(exchange("q", bot(cited(44, 0.99), "up")), 0.9) is None
    # An answer in two messages (a question of the form, then the answer) counts as cited.
    assert assess(exchange("q", bot({"citations": []}), bot(cited(44, 0.97))), 0.9) is None
    # Citations that name their document (custom.sources, beside the bare numbers).
    named = assess(exchange("q", bot({"citations": [44], "confidence": 0.5, "sources": [
        {"doc_id": DOC, "measure": 44, "citation": "《红旗区措施》第44条"}]})), 0.9)
    assert named is not None and named.cited == [Citation(44, DOC)]
    assert named.cited[0].label == "《红旗区措施》第44条"


def test_exact_rewordings_group_before_any_model_is_asked() -> None:
    texts = ["营业执照怎么注销?", "社保卡丢了", "营业执照怎么注销", " 营业执照怎么注销？", "社保卡丢了!"]
    calls: list[list[str]] = []

    def encode(batch: list[str]) -> np.ndarray:
        calls.append(batch)
        return by_identity(batch)

    assert group_texts(texts, encode, 0.8) == [[0, 2, 3], [1, 4]]
    assert calls == [["营业执照怎么注销", "社保卡丢了"]]
    assert group_texts(["只有一个"], encode, 0.8) == [[0]] and len(calls) == 1


def test_complete_linkage_keeps_a_chain_apart() -> None:
    """a~b and b~c but not a~c: complete linkage never puts a and c together."""
    vectors = {"a": [1.0, 0.0], "b": [0.8, 0.6], "c": [0.28, 0.96]}  # cos ab 0.8, bc 0.8, ac 0.28

    def encode(batch: list[str]) -> np.ndarray:
        return np.array([vectors[t] for t in batch])

    groups = group_texts(["a", "b", "c"], encode, 0.75)
    assert len(groups) == 2 and [0, 2] not in groups
    assert group_texts(["a", "b", "c"], encode, 0.2) == [[0, 1, 2]]


# ---- the store and the whole report -------------------------------------------------------

@pytest.fixture
def store(tmp_path: Path) -> ConversationStore:
    return ConversationStore(tmp_path / "conversations.sqlite")


def seed(store: ConversationStore) -> None:
    """Five conversations as the chat stores them, oldest first."""
    store.add_exchange("a", "营业执照怎么注销?", [BotMessage("抱歉……", custom=NO_ANSWER)])
    store.add_exchange("b", "你好", [BotMessage("您好!", custom=None)])
    store.add_exchange("b", "六税两费减半还能享受吗?", [BotMessage("根据第20条……", custom=cited(20, 0.71))])
    rated = store.add_exchange("c", "去国外参展展位费补贴多少?",
                               [BotMessage("根据第52条……", custom=cited(52, 0.99))])
    store.rate("c", rated[0].id, "down")
    store.add_exchange("d", "营业执照怎么注销", [BotMessage("抱歉……", custom=NO_ANSWER)])
    store.add_exchange("a", "出口信用保险保费能补贴多少?",
                       [BotMessage("根据第50条……", custom=cited(50, 0.99))])


def test_exchanges_pair_each_question_with_its_own_answers(store: ConversationStore) -> None:
    seed(store)
    exchanges = store.exchanges()
    assert [e.text for e in exchanges] == ["出口信用保险保费能补贴多少?", "营业执照怎么注销",
                                           "去国外参展展位费补贴多少?", "六税两费减半还能享受吗?", "你好",
                                           "营业执照怎么注销?"]
    assert [[t.text for t in e.replies] for e in exchanges][2:] == [
        ["根据第52条……"], ["根据第20条……"], ["您好!"], ["抱歉……"]]
    assert exchanges[2].replies[0].rating == "down"
    assert store.exchanges(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)) == []


def test_report_groups_counts_and_orders_newest_first(store: ConversationStore) -> None:
    seed(store)
    known = {"六税两费减半还能享受吗": ("pending", f"{DOC}#20")}
    report = build_report(store.exchanges(), by_identity, low_confidence=0.9, similarity=0.8, known=known)
    assert [(g.question, g.count, g.reasons) for g in report.groups] == [
        ("营业执照怎么注销", 2, {NO_CITATION: 2}),
        ("去国外参展展位费补贴多少?", 1, {RATED_DOWN: 1}),
        ("六税两费减半还能享受吗?", 1, {LOW_CONFIDENCE: 1}),
    ]
    deregister, fair, tax = report.groups
    assert deregister.variants == [("营业执照怎么注销", 2)] and deregister.cited == []
    assert deregister.suggested is None
    assert fair.suggested is not None and fair.suggested.number == 52
    assert tax.known == ("pending", f"{DOC}#20") and tax.min_confidence == 0.71
    assert report.questions == 4
    data = report.to_json()
    assert data["groups"][0]["reasons"] == {"no_citation": 2}
    assert data["groups"][2]["known"] == {"where": "pending", "measure": f"{DOC}#20"}
    text = report.to_text()
    assert text.splitlines()[0].startswith("4 question(s) need a look, in 3 group(s)")
    assert "2x  no citation 2  “营业执照怎么注销”" in text and "[pending: hongqi-2023-measures#20]" in text


# ---- the command ----------------------------------------------------------------------------

@pytest.fixture
def seeded(private_var: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A seeded store in a private var/, and the fake embedder instead of the model."""
    seed(ConversationStore(private_var / "chat" / "conversations.sqlite"))
    monkeypatch.setattr(Embedder, "from_settings", classmethod(lambda cls, settings=None: fake_embedder()))
    return private_var


run = cli


def test_cli_report_json_and_text(seeded: Path) -> None:
    code, out, _ = run("report", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["questions"] == 4 and data["low_confidence"] == 0.9
    assert [g["question"] for g in data["groups"]][0] == "营业执照怎么注销"
    assert data["groups"][0]["count"] == 2
    code, out, _ = run("report")
    assert code == 0 and "“去国外参展展位费补贴多少?”" in out and "cited: 第52条 (1)" in out


def test_cli_report_marks_what_is_pending(seeded: Path) -> None:
    assert run("kb", "add-question", "营业执照怎么注销?", "-m", "44")[0] == 0
    data = json.loads(run("report", "--json")[1])
    assert data["groups"][0]["known"] == {"where": "pending", "measure": f"{DOC}#44"}


def test_cli_report_since_and_bad_dates(seeded: Path) -> None:
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    code, out, _ = run("report", "--since", tomorrow, "--json")
    assert code == 0 and json.loads(out)["groups"] == []
    code, _, err = run("report", "--since", "30/11/2026")
    assert code == 2 and "--since" in err


def test_cli_report_without_a_store_is_empty_and_creates_nothing(private_var: Path) -> None:
    code, out, _ = run("report")
    assert code == 0 and out.startswith("0 question(s)")
    assert not (private_var / "chat").exists()
