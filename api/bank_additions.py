"""A question users asked becomes a question-bank entry: the one place the CLI
(`policybot kb add-question`) and the report page add one, with the same checks.

The checks need the live knowledge base (does the measure exist, is the question already
in the bank) and the evaluation set (which must stay disjoint from the bank); the pending
file itself is knowledge.pending.
"""

from __future__ import annotations

from collections.abc import Iterable

from index.evaluate import load_eval_set
from knowledge.catalog import Catalog
from knowledge.pending import PendingQuestion, PendingQuestions, normalise_question
from knowledge.questions import QuestionBank
from knowledge.settings import Settings


def pending(settings: Settings) -> PendingQuestions:
    return PendingQuestions(settings.pending_questions_dir)


def add_question(knowledge: Settings, store: PendingQuestions, catalog: Catalog, question: str,
                 measure: int, doc_id: str | None = None) -> PendingQuestion:
    """Check and append one entry (errors: knowledge.pending.PendingQuestions.add).
    knowledge: settings naming the live knowledge base (its question bank, the evaluation
    set), with catalog its documents."""
    bank = QuestionBank.load(catalog, knowledge.questions_dir)
    reserved = [q.text for q in load_eval_set(knowledge.eval_set)]
    return store.add(question, measure, catalog, doc_id=doc_id, bank=bank.questions, reserved=reserved)


def known_questions(entries: Iterable[PendingQuestion], bank: QuestionBank) -> dict[str, tuple[str, str]]:
    """Normalised question -> where it already is ("bank" or "pending", "doc_id#number"),
    so the report can show which groups have been dealt with."""
    known = {normalise_question(q): ("bank", key) for key, qs in bank.questions.items() for q in qs}
    known.update({normalise_question(e.question): ("pending", f"{e.doc_id}#{e.measure}")
                  for e in entries})
    return known
