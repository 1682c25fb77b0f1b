"""The chat's reply to "有哪些政策可以享受?": the matching result as one message.

The same groups as /match and /api/match (knowledge/matching.py), shortened for a chat:
every 符合 measure with its benefit and departments, the closest 可能符合 ones with what
is still to be confirmed, the 已到期 ones by citation; then the question whose answer
would decide most, and how to go on (pick an item by its number, or the /match page).
Items are numbered so that "第2个怎么申请?" can pick one (api/actions/matching.py).
"""

from __future__ import annotations

import re
from typing import Any

from api.compose import Reply, cited
from knowledge.eligibility import RuleBook
from knowledge.facts import Fact
from knowledge.formatting import zh_date
from knowledge.matching import Match, MatchResult
from knowledge.models import Measure

POSSIBLE_SHOWN = 5
BENEFIT_CHARS = 60


def _short(text: str, limit: int = BENEFIT_CHARS) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _asked(fact: Fact) -> str:
    """A fact's question as a phrase: "贵单位是否有裁员"."""
    return re.sub(r"[?\uff1f]+$", "", re.split(r"[(\uff08]", fact.question)[0])


def _said(facts: dict[str, Any], book: RuleBook) -> str:
    """What the profile says, briefly: the kinds and figures ("小微企业、服务业、30人")."""
    parts = []
    for name, value in facts.items():
        fact = book.facts.get(name)
        if fact is None or isinstance(value, bool | tuple):
            continue
        if fact.type == "choice" and value != "其他":
            parts.append(str(value))
        elif fact.type in ("integer", "number"):
            parts.append(f"{value:g}{fact.unit}" if isinstance(value, float) else f"{value}{fact.unit}")
    others = len(facts) - len(parts)
    if others > 0:
        parts.append(f"另有{others}项情况")
    return "、".join(parts)


def _amount(m: Match) -> str:
    if m.amount is None:
        return ""
    low, high = m.amount
    figure = f"{high:g}" if low == high else f"{low:g}—{high:g}"
    return f",测算约{figure}{m.amount_unit}"


def matched_reply(result: MatchResult, facts: dict[str, Any], book: RuleBook) -> tuple[Reply, list[Measure]]:
    """The reply and the measures it numbers, in their order (for picking one later)."""
    lines = [f"按您说的情况({_said(facts, book)}),截至{zh_date(result.as_of)}的匹配结果:"]
    listed: list[Measure] = []

    def item(m: Match, extra: str) -> str:
        listed.append(m.measure)
        return f"{len(listed)}. {m.measure.citation} {m.rule.summary}{extra}"

    lines.append(f"【符合】{len(result.eligible)}条" + (":" if result.eligible else ""))
    for m in result.eligible:
        lines.append(item(m, f":{_short(';'.join(m.benefits))}{_amount(m)}"
                             f"(责任单位:{'、'.join(m.measure.departments)})"))
    if result.possible:
        lines.append(f"【可能符合】{len(result.possible)}条,最接近的:")
        for m in result.possible[:POSSIBLE_SHOWN]:
            missing = ";".join(_asked(book.facts[n]) for n in m.missing)
            lines.append(item(m, f"(还需确认:{missing})"))
    if result.expired:
        lines.append(f"【已到期】{len(result.expired)}条(仅供参考):"
                     + "、".join(m.measure.citation for m in result.expired))
    if result.questions:
        lines.append(f"最能帮助确定结果的是:{result.questions[0].fact.question}")
    if listed:
        lines.append("想详细了解哪一条,可以说“第1个怎么申请”;完整结果可在“政策匹配”页面(/match)填写查看。")
    every = listed + [m.measure for m in result.expired]
    custom = {**cited(every),
              "departments": sorted({d for m in listed for d in m.departments}),
              "match": {"as_of": result.as_of.isoformat(),
                        "eligible": [m.measure.citation for m in result.eligible],
                        "possible": [m.measure.citation for m in result.possible],
                        "expired": [m.measure.citation for m in result.expired],
                        "asking": result.questions[0].fact.name if result.questions else None}}
    return Reply("\n".join(lines), custom), listed
