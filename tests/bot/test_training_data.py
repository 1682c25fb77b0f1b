"""The Rasa training data: generated from the knowledge base, annotated consistently."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.training_data import Annotator, department_lookup, enterprise_types, generate
from knowledge.catalog import Catalog
from knowledge.eligibility import RuleBook
from knowledge.entities import REGEX_ENTITIES, find_measure_numbers
from knowledge.settings import Settings
from tests.conftest import ROOT

BOT = ROOT / "bot"
DOMAIN = yaml.safe_load((BOT / "domain.yml").read_text(encoding="utf-8"))
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\((\w+)\)|\{[^}]*\"entity\":\s*\"(\w+)\"[^}]*\})")


def _examples(path: Path) -> dict[str, list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {item["intent"]: [line[2:].strip() for line in item["examples"].splitlines()
                             if line.strip().startswith("- ")]
            for item in data["nlu"] if "intent" in item}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    bot_dir = tmp_path_factory.mktemp("bot")
    generate(Settings(), bot_dir)
    return bot_dir


@pytest.fixture(scope="module")
def annotator(catalog: Catalog) -> Annotator:
    rules = RuleBook.load(Settings().eligibility_dir)
    synonyms = {a: c for c, aliases in catalog.table.aliases().items() for a in aliases}
    return Annotator(department_lookup(catalog), synonyms, enterprise_types(rules))


def test_every_domain_intent_has_at_least_30_examples(generated: Path) -> None:
    counts: dict[str, int] = {}
    for path in [BOT / "data" / "nlu" / "handwritten.yml", generated / "data" / "generated" / "nlu.yml"]:
        for intent, examples in _examples(path).items():
            counts[intent] = counts.get(intent, 0) + len(examples)
    assert set(counts) == set(DOMAIN["intents"])
    assert min(counts.values()) >= 30, counts


def test_hand_written_annotations_are_what_the_extractor_finds(annotator: Annotator) -> None:
    """An annotation the regex/lookup extractor would not produce (or a missed span)
    teaches nothing and lowers the measured entity F1."""
    wrong = []
    for intent, examples in _examples(BOT / "data" / "nlu" / "handwritten.yml").items():
        for example in examples:
            plain = _ANNOTATION.sub(lambda m: m.group(1), example)
            marked = [(m.group(1), m.group(2) or m.group(3)) for m in _ANNOTATION.finditer(example)]
            found = [(plain[s:e], name) for s, e, name in annotator.spans(plain)]
            if marked != found:
                wrong.append((intent, example, found))
    assert not wrong, wrong[:5]


def test_generated_data_covers_departments_measures_and_rules(generated: Path, catalog: Catalog) -> None:
    text = (generated / "data" / "generated" / "nlu.yml").read_text(encoding="utf-8")
    for department, measures in catalog.departments().items():
        if measures:
            assert f"[{department}](department)" in text
    assert "[商务局]{\"entity\": \"department\", \"value\": \"区商务局\"}" in text
    assert "- lookup: \"department\"" in text and "- regex: \"measure_number\"" in text
    dictionary = (generated / "dictionary" / "policy-terms.txt").read_text(encoding="utf-8")
    assert "区商务局 50 nt" in dictionary and "六税两费" in dictionary


def test_generic_aliases_stay_out_of_the_department_lookup(catalog: Catalog) -> None:
    lookup = department_lookup(catalog)
    assert "区商务局" in lookup and "商务局" in lookup
    assert "商务" not in lookup and "财政" not in lookup


@pytest.mark.parametrize(("text", "entity", "span"), [
    ("看一下第四十四条", "measure_number", "第四十四条"),
    ("贷款2023年3月10日到期", "date", "2023年3月10日"),
    ("年出口250万美元", "amount", "250万美元"),
    ("在册35人", "headcount", "35人"),
    ("我们是小微企业", "enterprise_type", "小微企业"),
    ("电子商务有补贴吗", None, None),
])
def test_entity_patterns(annotator: Annotator, text: str, entity: str | None, span: str | None) -> None:
    found = [(text[s:e], name) for s, e, name in annotator.spans(text)]
    assert found == ([(span, entity)] if entity else [])
    assert set(REGEX_ENTITIES) <= set(DOMAIN["entities"])


def test_every_marked_measure_number_is_read_by_the_actions(generated: Path) -> None:
    """A span Rasa learns to mark as measure_number must give the actions a number."""
    unread = []
    for path in [BOT / "data" / "nlu" / "handwritten.yml", generated / "data" / "generated" / "nlu.yml"]:
        for examples in _examples(path).values():
            for example in examples:
                for m in _ANNOTATION.finditer(example):
                    if (m.group(2) or m.group(3)) == "measure_number" and \
                            len(find_measure_numbers(m.group(1))) != 1:
                        unread.append(m.group(1))
    assert not unread, unread[:10]
