"""Rasa training data generated from the knowledge base (runs in the app's environment).

Department names, measure numbers, eligibility topics and the question bank already live
in knowledge/; writing them into Rasa's data by hand would let the two drift apart. So
`policybot bot data` writes bot/data/generated/nlu.yml and the jieba dictionary
bot/dictionary/ from them on every build (both are git-ignored). The regex entities come
from knowledge/entities.py: the generated examples are annotated with them, Rasa's
RegexEntityExtractor extracts with them, and a test holds the hand-written examples to them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from knowledge.catalog import Catalog
from knowledge.eligibility import RuleBook
from knowledge.entities import REGEX_ENTITIES
from knowledge.formatting import zh_numeral
from knowledge.language import EN, language_of
from knowledge.questions import QuestionBank
from knowledge.settings import Settings

ENTERPRISE_TYPE_FACT = "enterprise_type"
# Aliases this short or generic ("财政", "商务") would mark ordinary words ("电子商务") as
# departments; the lookup keeps names that read as an institution.
_INSTITUTION = re.compile(r"(局|委|会|院|中心|公司|区|联|大队|办|所|站|部门)$")
# Bank questions that ask for a department, a deadline or a procedure belong to other
# intents; they stay out of ask_question's examples.
_OTHER_INTENT = re.compile(r"部门|哪个局|找谁|谁负责|谁牵头|有效|截止|过期|到期|怎么申请|如何申请|"
                           r"申请流程|材料|第\s*\d+\s*条")
QUESTIONS_PER_MEASURE = 3
# English bank questions per measure among ask_question's examples: enough for NLU to
# take an English policy question for one, without outweighing the Chinese ones.
ENGLISH_QUESTIONS_PER_MEASURE = 1
_OTHER_INTENT_EN = re.compile(r"department|responsible|valid|expire|deadline|how (?:do|can) i apply",
                              re.IGNORECASE)

_DEPARTMENT_MEASURES = ["{d}负责哪些措施?", "{d}管哪些政策", "{d}有哪些扶持政策", "{d}负责的措施有哪些",
                        "想看看{d}牵头的政策", "{d}那边有什么惠企措施"]
_MEASURE = ["第{n}条是什么内容", "看一下第{n}条", "第{n}条原文", "措施{a}讲的什么", "第{n}条说了啥",
            "帮我查第{n}条", "请给出第{n}条的全文"]
_NAMED_MEASURE = ["《{name}》第{n}条是什么内容", "{year}年文件第{n}条", "看一下{year}年的政策第{n}条",
                  "{name}第{n}条原文"]
_ELIGIBILITY = ["我们能享受{s}吗", "{s}的条件我们符合吗", "帮我看看能不能申请{s}"]


@dataclass(frozen=True)
class BotDataSummary:
    nlu_file: Path
    dictionary_file: Path
    examples: dict[str, int]


def named_measure_examples(catalog: Catalog, per_document: int = 4) -> list[str]:
    """ask_measure examples that name the document ("《简称》第3条", "2023年文件第3条"),
    written only when several documents are loaded (with one, nobody needs to)."""
    examples = []
    for d, document in enumerate(catalog.documents):
        for i, measure in enumerate(document.measures[:per_document]):
            template = _NAMED_MEASURE[(d + i) % len(_NAMED_MEASURE)]
            examples.append(template.format(name=document.info.name, n=measure.number,
                                            year=document.info.issue_date.year))
    return examples


def department_lookup(catalog: Catalog) -> list[str]:
    names = []
    for canonical, aliases in catalog.table.aliases().items():
        names.append(canonical)
        names += [a for a in aliases if _INSTITUTION.search(a) and len(a) >= 2]
    return sorted(set(names), key=lambda n: (-len(n), n))


def enterprise_types(rules: RuleBook) -> list[str]:
    """Longest first: a regex alternation takes the first that matches (小微企业主 > 小微企业)."""
    fact = rules.facts.get(ENTERPRISE_TYPE_FACT)
    return sorted((c for c in (fact.choices if fact else ()) if c != "其他"), key=lambda c: -len(c))


class Annotator:
    """Marks entity spans in an example the way the extractor will find them."""

    def __init__(self, departments: list[str], synonyms: dict[str, str], types: list[str]) -> None:
        self.synonyms = synonyms
        patterns = [(name, re.compile(p)) for name, ps in REGEX_ENTITIES.items() for p in ps]
        patterns += [("department", re.compile("|".join(map(re.escape, departments))))]
        patterns += [("enterprise_type", re.compile("|".join(map(re.escape, types))))]
        self.patterns = patterns

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        found: list[tuple[int, int, str]] = []
        for name, pattern in self.patterns:
            for m in pattern.finditer(text):
                if m.end() > m.start() and not any(s < m.end() and m.start() < e for s, e, _ in found):
                    found.append((m.start(), m.end(), name))
        return sorted(found)

    def annotate(self, text: str) -> str:
        out, last = [], 0
        for start, end, name in self.spans(text):
            span = text[start:end]
            value = self.synonyms.get(span) if name == "department" else None
            label = (f'{{"entity": "{name}", "value": "{value}"}}' if value and value != span
                     else f"({name})")
            out += [text[last:start], f"[{span}]{label}"]
            last = end
        return "".join(out) + text[last:]


def _clean(text: str) -> str:
    """One line, no markup characters Rasa would read as an annotation."""
    return re.sub(r"[\[\]{}()]", "", " ".join(text.split()))


def _nlu_yaml(blocks: list[tuple[str, str, list[str]]]) -> str:
    """Rasa's own layout (literal example blocks), which yaml.safe_dump does not produce."""
    lines = ["# Generated by `policybot bot data` from knowledge/; do not edit.",
             'version: "3.1"', "nlu:"]
    for kind, name, examples in blocks:
        lines += [f"- {kind}: {json.dumps(name, ensure_ascii=False)}", "  examples: |"]
        lines += [f"    - {e}" for e in examples]
    return "\n".join(lines) + "\n"


def generate(settings: Settings, bot_dir: Path) -> BotDataSummary:
    catalog = Catalog.from_settings(settings)
    rules = RuleBook.load(settings.eligibility_dir)
    bank = QuestionBank.load(catalog, settings.questions_dir)
    departments = department_lookup(catalog)
    synonyms = {a: c for c, aliases in catalog.table.aliases().items() for a in aliases}
    types = enterprise_types(rules)
    annotator = Annotator(departments, synonyms, types)

    intents: dict[str, list[str]] = {"ask_question": [], "ask_department_measures": [],
                                     "ask_measure": [], "check_eligibility": []}
    for questions in bank.questions.values():
        chinese = [q for q in questions if language_of(q) != EN and not _OTHER_INTENT.search(q)]
        english = [q for q in questions if language_of(q) == EN and not _OTHER_INTENT_EN.search(q)]
        intents["ask_question"] += chinese[:QUESTIONS_PER_MEASURE]
        intents["ask_question"] += english[:ENGLISH_QUESTIONS_PER_MEASURE]
    with_measures = [d for d, ms in catalog.departments().items() if ms]
    for i, canonical in enumerate(with_measures):
        said = [canonical, *[a for a in catalog.table.aliases().get(canonical, [])
                             if a in departments and a != canonical]]
        for j, name in enumerate(said[:2]):
            intents["ask_department_measures"].append(
                _DEPARTMENT_MEASURES[(i + j) % len(_DEPARTMENT_MEASURES)].format(d=name))
    # Numbers, not measures: with several documents 第3条 is one way of asking, whichever
    # document has it (a question that names its document comes next).
    numbers = sorted({m.number for m in catalog.measures})[::2]
    for i, number in enumerate(numbers):
        template = _MEASURE[i % len(_MEASURE)]
        spelled = zh_numeral(number) if i % 3 == 1 else str(number)
        intents["ask_measure"].append(template.format(n=spelled, a=number))
    if catalog.several:
        intents["ask_measure"] += named_measure_examples(catalog)
    for i, rule in enumerate(rules.rules.values()):
        summary = rule.summary.strip("“”\"")
        intents["check_eligibility"].append(_ELIGIBILITY[i % len(_ELIGIBILITY)].format(s=summary))

    blocks: list[tuple[str, str, list[str]]] = []
    for intent, examples in intents.items():
        blocks.append(("intent", intent, list(dict.fromkeys(annotator.annotate(_clean(e))
                                                             for e in examples))))
    blocks += [("regex", name, patterns) for name, patterns in REGEX_ENTITIES.items()]
    blocks += [("lookup", "department", departments), ("lookup", "enterprise_type", types)]
    blocks += [("synonym", canonical, [a for a in aliases if a != canonical])
               for canonical, aliases in catalog.table.aliases().items()
               if any(a != canonical for a in aliases)]

    nlu_file = bot_dir / "data" / "generated" / "nlu.yml"
    nlu_file.parent.mkdir(parents=True, exist_ok=True)
    nlu_file.write_text(_nlu_yaml(blocks), encoding="utf-8")

    dictionary_file = bot_dir / "dictionary" / "policy-terms.txt"
    dictionary_file.parent.mkdir(parents=True, exist_ok=True)
    terms = settings.terms_file.read_text(encoding="utf-8").splitlines()
    words = [t.strip() for t in terms if t.strip() and not t.startswith("#")]
    words += [f"{d} 50 nt" for d in departments] + [f"{t} 50 n" for t in types]
    if catalog.several:
        words += [f"{_clean(d.info.name)} 50 nz" for d in catalog.documents]
    dictionary_file.write_text("\n".join(dict.fromkeys(words)) + "\n", encoding="utf-8")
    return BotDataSummary(nlu_file, dictionary_file, {k: len(v) for k, v in intents.items()})
