"""Facts the conversation has stated, kept for the whole conversation.

Whatever the user said about their enterprise, in any message, counts: "我们是小微企业"
in the first message is not asked again when a check starts three turns later. Facts
come from three places, later ones winning: the earlier messages (read again on each
check, so a message another action answered is not lost), the slot eligibility_facts
(answers to the form's questions, which only mean something next to their question, and
what earlier checks established) and the latest message.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from api.actions.base import Context
from knowledge.eligibility import Rule
from knowledge.facts import Fact, FactInvalid, serialise

FACTS_SLOT = "eligibility_facts"


def remembered(ctx: Context) -> dict[str, Any]:
    """The facts the slot keeps, typed again; a value the rules no longer read is dropped
    (a conversation may outlive a published version)."""
    known = ctx.services.rules.facts
    out: dict[str, Any] = {}
    for name, value in (ctx.slot(FACTS_SLOT) or {}).items():
        if name in known and value is not None:
            try:
                out[name] = known[name].parse(value)
            except FactInvalid:
                continue
    return out


def _stated(facts: list[Fact], text: str, alone: set[str]) -> dict[str, Any]:
    found = {}
    for fact in facts:
        value = fact.stated_in(text, alone=fact.name in alone)
        if value is not None:
            found[fact.name] = value
    return found


def needed_facts(ctx: Context, rule: Rule) -> list[Fact]:
    known = ctx.services.rules.facts
    return [known[name] for name in rule.facts]


def known_facts(ctx: Context, rule: Rule) -> dict[str, Any]:
    """What the conversation has established about the facts this rule needs (and the
    facts the slot remembers for other rules, kept for later checks)."""
    needed = needed_facts(ctx, rule)
    facts: dict[str, Any] = {}
    texts = ctx.user_texts
    for text in texts[:-1]:
        facts.update(_stated(needed, text, set()))
    facts.update(remembered(ctx))
    # In the latest message an amount or date without its cue word is taken when the
    # rule needs only one fact of that type ("300万美元" can only be the investment).
    kinds = Counter(f.type for f in needed)
    alone = {f.name for f in needed if f.type in ("number", "date") and kinds[f.type] == 1}
    facts.update(_stated(needed, texts[-1], alone))
    return facts


def stated_now(ctx: Context, rule: Rule, text: str) -> dict[str, Any]:
    """Facts of the rule the given text states (an answer that says more than asked)."""
    return _stated(needed_facts(ctx, rule), text, set())


def to_slot(facts: dict[str, Any]) -> dict[str, Any]:
    return {name: serialise(value) for name, value in facts.items()}
