"""Question-bank entries waiting for the next publish (knowledge/pending.py), and the CLI
that adds them (`policybot kb add-question`, `policybot kb pending`)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from knowledge.catalog import Catalog
from knowledge.errors import DocumentInvalid, MeasureNotFound, UnknownDocument
from knowledge.pending import PendingQuestions, QuestionRejected, normalise_question
from knowledge.questions import QuestionBank
from tests.conftest import SOURCE, cli

DOC = "hongqi-2023-measures"


@pytest.fixture
def store(tmp_path: Path) -> PendingQuestions:
    return PendingQuestions(tmp_path / "kb" / "pending")


@pytest.fixture(scope="module")
def two_documents(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The same measures under two ids and titles: enough for entries of two documents."""
    sources = tmp_path_factory.mktemp("sources")
    shutil.copy(SOURCE, sources / f"{DOC}.txt")
    text = SOURCE.read_text(encoding="utf-8")
    title = re.search(r"《([^》]+)》", text)
    assert title is not None
    (sources / "hongqi-2024-amended.txt").write_text(
        text.replace(title.group(0), f"《{title.group(1)}(修订)》", 1), encoding="utf-8")
    return Catalog.load(sources)


def test_normalising_ignores_edge_punctuation_width_and_spacing() -> None:
    assert normalise_question(" 贷款能延期吗？ ") == normalise_question("贷款能延期吗") == "贷款能延期吗"
    assert normalise_question("ＡＢＣ公司  能   申请吗?") == "abc公司 能 申请吗"
    assert normalise_question("?!。") == ""


def test_an_added_entry_is_a_question_bank_file(store: PendingQuestions, catalog: Catalog,
                                                tmp_path: Path) -> None:
    store.add("营业执照怎么注销?", 44, catalog)
    store.add("  贷款  延期 到什么时候 ", 44, catalog)
    store.add("展位费补贴多少", 52, catalog)
    assert [(e.doc_id, e.measure, e.question) for e in store.entries()] == [
        (DOC, 44, "营业执照怎么注销?"), (DOC, 44, "贷款 延期 到什么时候"), (DOC, 52, "展位费补贴多少")]
    # The bank's own loader reads the folder: the schema is the bank's, and nothing else
    # in it (lock, temporary files) ends in .yml.
    assert sorted(p.name for p in store.directory.iterdir()) == [".lock", f"{DOC}.yml"]
    bank = QuestionBank.load(catalog, store.directory)
    assert bank.of(catalog.measure(44)) == ["营业执照怎么注销?", "贷款 延期 到什么时候"]


def test_entries_of_two_documents_are_two_bank_files(store: PendingQuestions, two_documents: Catalog) -> None:
    store.add("第一份文件的问题", 3, two_documents, doc_id=DOC)
    store.add("第二份文件的问题", 5, two_documents, doc_id="hongqi-2024-amended")
    assert yaml.safe_load(store.path(DOC).read_text(encoding="utf-8")) == {
        "doc_id": DOC, "questions": {3: ["第一份文件的问题"]}}
    assert yaml.safe_load(store.path("hongqi-2024-amended").read_text(encoding="utf-8")) == {
        "doc_id": "hongqi-2024-amended", "questions": {5: ["第二份文件的问题"]}}
    bank = QuestionBank.load(two_documents, store.directory)
    assert bank.of(two_documents.measure(5, "hongqi-2024-amended")) == ["第二份文件的问题"]
    assert store.remove(DOC, 3, "第一份文件的问题")
    assert [e.doc_id for e in store.entries()] == ["hongqi-2024-amended"]
    assert not store.remove("../etc", 3, "x")


def test_unknown_measures_and_documents_are_refused(store: PendingQuestions, catalog: Catalog) -> None:
    with pytest.raises(MeasureNotFound):
        store.add("问题", 99, catalog)
    with pytest.raises(UnknownDocument):
        store.add("问题", 4, catalog, doc_id="nope")
    assert store.entries() == []


@pytest.mark.parametrize(("question", "why"), [
    ("  ?? ", "empty"), ("长" * 201, "longer than 200"),
])
def test_empty_and_overlong_questions_are_refused(store: PendingQuestions, catalog: Catalog,
                                                  question: str, why: str) -> None:
    with pytest.raises(QuestionRejected, match=why):
        store.add(question, 4, catalog)


def test_a_question_already_banked_pending_or_in_the_evaluation_set_is_refused(
        store: PendingQuestions, catalog: Catalog) -> None:
    bank = QuestionBank.load(catalog).questions
    banked = bank[f"{DOC}#1"][0]
    with pytest.raises(QuestionRejected, match=f"already in the question bank for {DOC}#1"):
        store.add(banked + "?", 2, catalog, bank=bank)
    with pytest.raises(QuestionRejected, match="evaluation set"):
        store.add("家电以旧换新有没有补贴", 2, catalog, reserved=["家电以旧换新有没有补贴?"])
    store.add("营业执照怎么注销", 44, catalog)
    with pytest.raises(QuestionRejected, match=f"already pending for {DOC}#44"):
        store.add("营业执照怎么注销?", 45, catalog)
    assert len(store.entries()) == 1


def test_removing_the_last_entry_removes_the_file(store: PendingQuestions, catalog: Catalog) -> None:
    store.add("营业执照怎么注销", 44, catalog)
    assert not store.remove(DOC, 45, "营业执照怎么注销")
    assert store.remove(DOC, 44, "营业执照怎么注销")
    assert not store.path(DOC).exists() and store.entries() == []


def test_concurrent_additions_are_all_kept(store: PendingQuestions, catalog: Catalog) -> None:
    """The CLI and the answer service may add at once: each addition holds the lock."""
    from concurrent.futures import ThreadPoolExecutor

    questions = [f"第{n}个并发加入的问题" for n in range(16)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda q: store.add(q, 44, catalog), questions))
    assert sorted(e.question for e in store.entries()) == sorted(questions)


def test_a_broken_file_is_reported_with_its_line(store: PendingQuestions) -> None:
    path = store.path("x")
    path.parent.mkdir(parents=True)
    path.write_text("doc_id: x\nquestions:\n  4: [\"a\"\n", encoding="utf-8")
    with pytest.raises(DocumentInvalid) as raised:
        store.entries()
    problem = raised.value.problems[0]
    assert problem.path == str(path) and problem.line == 4 and "not valid YAML" in problem.message
    path.write_text("doc_id: x\nquestions:\n  vier: [\"a\"]\n", encoding="utf-8")
    with pytest.raises(DocumentInvalid, match="entry 'vier'"):
        store.entries()


# ---- the CLI ------------------------------------------------------------------------------

run = cli


def test_cli_adds_and_lists_a_pending_question(private_var: Path) -> None:
    code, out, _ = run("kb", "add-question", "营业执照怎么注销?", "--measure", "44")
    assert code == 0
    assert out.startswith(f"pending: {DOC}#44 “营业执照怎么注销?” in {private_var}/kb/pending/{DOC}.yml")
    assert "next publish" in out
    code, out, _ = run("kb", "pending", "--json")
    assert code == 0 and json.loads(out) == [{"doc_id": DOC, "measure": 44, "question": "营业执照怎么注销?"}]


@pytest.mark.parametrize(("args", "code", "message"), [
    (["问题", "--measure", "99"], 3, f"error: no measure 99 in {DOC}"),
    (["问题", "-m", "4", "--doc", "nope"], 3, "error: unknown document: nope"),
    (["家电以旧换新有没有补贴?", "-m", "2"], 1, "error: the question is in the evaluation set"),
    (["  ", "-m", "2"], 1, "error: the question is empty"),
])
def test_cli_errors(private_var: Path, args: list[str], code: int, message: str) -> None:
    got, _, err = run("kb", "add-question", *args)
    assert got == code and err.startswith(message)
    assert not list(private_var.glob("kb/pending/*.yml"))


def test_cli_usage_errors(private_var: Path) -> None:
    assert run("kb", "add-question", "问题")[0] == 2  # --measure is required
    assert run("kb", "add-question", "问题", "-m", "四十四")[0] == 2


def test_cli_refuses_a_question_already_pending(private_var: Path) -> None:
    assert run("kb", "add-question", "营业执照怎么注销", "-m", "44")[0] == 0
    code, _, err = run("kb", "add-question", "营业执照怎么注销?", "-m", "45")
    assert code == 1 and err.strip() == f"error: the question is already pending for {DOC}#44"
