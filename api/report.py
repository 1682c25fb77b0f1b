"""What the chat answered badly, for maintainers: `policybot report` and /admin/report.

Three signs that a question needs a look, all read from the conversation store
(api/conversations.py): the answer cited no measure (its `custom.citations` is empty: the
no-answer reply, or a department with no measures), a user rated it 👎, or retrieval was
unsure of the measure it cited (`custom.confidence`, the no-answer gate's probability,
below the report_low_confidence setting).

Users ask one thing in many words, so the report groups paraphrases and shows each group
once with its counts, newest first. Grouping: identical questions after normalising
(knowledge.pending.normalise_question) are merged first; the distinct wordings are then
embedded with the project's own model and clustered with complete linkage: every two
questions of a group have a cosine of at least report_group_similarity. Complete rather
than average linkage because a maintainer acts on a group as one question: two different
questions merged into one group hide one of them, while one question split in two groups
only costs a second look. Measured on the paraphrase sets of
tests/fixtures/report-paraphrases.yml (figures in tests/test_report_grouping.py): with
the distilled model at 0.8, 97% of the pairs of questions put together belong together
and 72% of those that belong together are found; character-bigram Jaccard, tuned the same
way, reached 45% and 49% (paraphrases such as "社保费往后拖一拖" / "养老保险可以申请缓缴"
share no bigram, while "营业执照怎么注销" / "怎么办营业执照" share most).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.cluster import AgglomerativeClustering

from api.conversations import Exchange
from knowledge.pending import normalise_question

NO_CITATION, RATED_DOWN, LOW_CONFIDENCE = "no_citation", "rated_down", "low_confidence"
REASONS = (NO_CITATION, RATED_DOWN, LOW_CONFIDENCE)
# What the report covers unless told otherwise (`--since`, the page's date).
REPORT_DAYS = 30
# Distinct wordings clustered by embedding at most; older ones are grouped by exact wording
# only (the cosine matrix grows with the square: 2,000 wordings take about a second).
MAX_CLUSTERED = 2000

Encode = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class Citation:
    number: int
    doc_id: str | None = None
    # As the answer wrote it ("第44条", or "《简称》第44条" when several documents are loaded).
    text: str = field(default="", compare=False)

    @property
    def label(self) -> str:
        if self.text:
            return self.text
        return f"第{self.number}条" if self.doc_id is None else f"{self.doc_id}#{self.number}"


@dataclass
class Finding:
    """One question whose answer needs a look, and why."""

    exchange: Exchange
    reasons: set[str]
    cited: list[Citation]
    confidence: float | None


@dataclass
class Group:
    """Paraphrases of one question with what happened to them."""

    question: str
    variants: list[tuple[str, int]]
    count: int
    reasons: dict[str, int]
    first_asked: dt.datetime
    last_asked: dt.datetime
    cited: list[tuple[Citation, int]]
    min_confidence: float | None
    # Where one of its wordings already is: ("pending" | "bank", "doc_id#number"), else None.
    known: tuple[str, str] | None = None

    @property
    def suggested(self) -> Citation | None:
        """The measure the answers cited most, a starting point for the maintainer."""
        return self.cited[0][0] if self.cited else None

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "variants": [{"text": text, "count": n} for text, n in self.variants],
            "count": self.count,
            "reasons": self.reasons,
            "first_asked": self.first_asked.isoformat(),
            "last_asked": self.last_asked.isoformat(),
            "cited": [{"doc_id": c.doc_id, "measure": c.number, "count": n} for c, n in self.cited],
            "min_confidence": self.min_confidence,
            "known": None if self.known is None else {"where": self.known[0], "measure": self.known[1]},
        }


@dataclass
class Report:
    since: dt.datetime | None
    low_confidence: float
    groups: list[Group] = field(default_factory=list)

    @property
    def questions(self) -> int:
        return sum(g.count for g in self.groups)

    def to_json(self) -> dict[str, Any]:
        return {"since": None if self.since is None else self.since.isoformat(),
                "low_confidence": self.low_confidence, "questions": self.questions,
                "groups": [g.to_json() for g in self.groups]}

    def to_text(self) -> str:
        since = f" since {self.since.date()}" if self.since else ""
        lines = [f"{self.questions} question(s){since} need a look, in {len(self.groups)} group(s) "
                 f"(no citation, rated down, or confidence below {self.low_confidence})"]
        for g in self.groups:
            reasons = ", ".join(f"{r.replace('_', ' ')} {n}" for r, n in g.reasons.items())
            known = f"  [{g.known[0]}: {g.known[1]}]" if g.known else ""
            lines.append(f"{g.last_asked:%Y-%m-%d}  {g.count}x  {reasons}  “{g.question}”{known}")
            others = [f"“{text}” ({n})" for text, n in g.variants if text != g.question]
            if others:
                lines.append("            also: " + "; ".join(others))
            if g.cited:
                cited = ", ".join(f"{c.label} ({n})" for c, n in g.cited)
                confidence = "" if g.min_confidence is None else f", lowest confidence {g.min_confidence}"
                lines.append(f"            cited: {cited}{confidence}")
        return "\n".join(lines)


def _citations(custom: Mapping[str, Any]) -> list[Citation]:
    """What an answer cited: `custom.sources` ({doc_id, measure, citation}) where answers
    name their document, else the measure numbers of `custom.citations`."""
    sources = [s for s in custom.get("sources") or []
               if isinstance(s, Mapping) and isinstance(s.get("measure"), int)]
    if sources:
        return [Citation(int(s["measure"]), s.get("doc_id"), str(s.get("citation") or "")) for s in sources]
    return [Citation(item) for item in custom.get("citations") or [] if isinstance(item, int)]


def assess(exchange: Exchange, low_confidence: float) -> Finding | None:
    """Why this answer needs a look, or None when it does not."""
    reasons: set[str] = set()
    cited: list[Citation] = []
    confidences: list[float] = []
    answered = False
    for reply in exchange.replies:
        if reply.rating == "down":
            reasons.add(RATED_DOWN)
        custom = reply.custom or {}
        if "citations" in custom:
            answered = True
            cited.extend(c for c in _citations(custom) if c not in cited)
        if isinstance(custom.get("confidence"), int | float):
            confidences.append(float(custom["confidence"]))
    if answered and not cited:
        reasons.add(NO_CITATION)
    confidence = min(confidences) if confidences else None
    if cited and confidence is not None and confidence < low_confidence:
        reasons.add(LOW_CONFIDENCE)
    return Finding(exchange, reasons, cited, confidence) if reasons else None


def group_texts(texts: list[str], encode: Encode, similarity: float) -> list[list[int]]:
    """Indices of texts, grouped: identical after normalising, then by complete linkage
    over embedding cosines (see the module docstring). Groups keep the input order."""
    wordings: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        wordings.setdefault(normalise_question(text), []).append(i)
    keys = list(wordings)
    clustered, rest = keys[:MAX_CLUSTERED], keys[MAX_CLUSTERED:]
    labels = list(range(len(clustered)))
    if len(clustered) > 1:
        vectors = np.asarray(encode(clustered), dtype=np.float64)
        distance = np.clip(1.0 - vectors @ vectors.T, 0.0, None)
        np.fill_diagonal(distance, 0.0)
        model = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="complete",
                                        distance_threshold=1.0 - similarity + 1e-9)
        labels = [int(label) for label in model.fit(distance).labels_]
    by_label: dict[int, list[int]] = {}
    for key, label in zip(clustered, labels, strict=True):
        by_label.setdefault(label, []).extend(wordings[key])
    groups = list(by_label.values()) + [wordings[key] for key in rest]
    return sorted((sorted(g) for g in groups), key=lambda g: g[0])


def build_report(exchanges: Iterable[Exchange], encode: Encode, *, low_confidence: float,
                 similarity: float, since: dt.datetime | None = None,
                 known: Mapping[str, tuple[str, str]] | None = None) -> Report:
    """The report over these exchanges (newest first, as the store gives them).

    known: normalised question -> ("pending" | "bank", "doc_id#number"), to mark groups a
    maintainer has already dealt with."""
    findings = [f for e in exchanges if (f := assess(e, low_confidence)) is not None]
    findings.sort(key=lambda f: f.exchange.question_id, reverse=True)
    report = Report(since, low_confidence)
    # Each group starts with its newest finding, so groups come newest first too.
    for members in group_texts([f.exchange.text for f in findings], encode, similarity):
        report.groups.append(_group([findings[i] for i in members], known or {}))
    return report


def _group(findings: list[Finding], known: Mapping[str, tuple[str, str]]) -> Group:
    """findings: newest first."""
    wordings = Counter(normalise_question(f.exchange.text) for f in findings)
    newest_text: dict[str, str] = {}
    for f in findings:
        newest_text.setdefault(normalise_question(f.exchange.text), f.exchange.text)
    # Most asked first; among equals the newest (Counter keeps first-seen order).
    variants = [(newest_text[key], n) for key, n in wordings.most_common()]
    reasons = Counter(r for f in findings for r in f.reasons)
    cited = Counter(c for f in findings for c in f.cited)
    confidences = [f.confidence for f in findings if f.confidence is not None and f.cited]
    asked = [f.exchange.asked_at for f in findings]
    return Group(
        question=variants[0][0], variants=variants, count=len(findings),
        reasons={r: reasons[r] for r in REASONS if reasons[r]},
        first_asked=min(asked), last_asked=max(asked), cited=cited.most_common(),
        min_confidence=min(confidences) if confidences else None,
        known=next((known[key] for key in wordings if key in known), None))
