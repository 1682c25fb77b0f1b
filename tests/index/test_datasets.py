"""The question bank and the evaluation set are data with rules: check them."""

from collections import Counter

from index.evaluate import load_eval_set
from knowledge.catalog import Catalog
from knowledge.language import EN, language_of
from knowledge.questions import QuestionBank
from knowledge.settings import PACKAGE_DIR

EN_SET = PACKAGE_DIR / "evaluation" / "questions-en.yml"


def test_bank_has_five_questions_per_measure(catalog: Catalog) -> None:
    bank = QuestionBank.load(catalog)
    for measure in catalog.measures:
        assert len(bank.of(measure)) >= 5, measure.number


def test_eval_set_shape(catalog: Catalog) -> None:
    questions = load_eval_set()
    assert len(questions) >= 150
    assert sum(1 for q in questions if not q.gold) >= 20
    chapters = Counter(catalog.measure(min(q.gold)).chapter.number for q in questions if q.gold)
    assert set(chapters) == {1, 2, 3, 4, 5, 6}
    kinds = {q.kind for q in questions}
    assert {"lookup", "paraphrase", "department", "eligibility", "unanswerable"} <= kinds
    assert len({q.text for q in questions}) == len(questions)


def test_eval_set_disjoint_from_bank(catalog: Catalog) -> None:
    bank = set(QuestionBank.load(catalog).all_texts())
    assert not [q.text for q in load_eval_set() if q.text in bank]


def test_english_set_shape_and_disjoint_from_bank(catalog: Catalog) -> None:
    """The English set (knowledge/evaluation/questions-en.yml) measures the English route:
    English and mixed questions, a few no measure answers, none taken from the bank."""
    english = load_eval_set(EN_SET)
    assert len(english) >= 40 and sum(1 for q in english if not q.gold) >= 3
    assert {"english", "mixed", "unanswerable"} <= {q.kind for q in english}
    bank = set(QuestionBank.load(catalog).all_texts())
    assert not [q.text for q in english if q.text in bank]
    for q in english:
        for number in q.gold:
            catalog.measure(number)


def test_bank_has_english_questions_for_every_measure(catalog: Catalog) -> None:
    bank = QuestionBank.load(catalog)
    for measure in catalog.measures:
        assert any(language_of(q) == EN for q in bank.of(measure)), measure.number
