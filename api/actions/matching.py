"""Matching in the chat: "我们是一家30人的服务业小微企业,年出口200万美元,有哪些政策可以
享受?" gets every measure the enterprise can use (api/compose_match.py), from all it has
said in the conversation, over one message or several. After such a list, a message that
only adds facts ("我们也参与政府采购投标") matches again, and "第2个怎么申请?" is the
list's second item, not the document's 第2条.
"""

from __future__ import annotations

from typing import Any

from api.actions.base import OFFERED_MEASURES, Context
from api.actions.facts import FACTS_SLOT, remembered, to_slot
from api.actions.lookup import after_match, current_event
from api.compose import Reply
from api.compose_match import matched_reply
from api.protocol import slot_event
from knowledge.dialogue_cues import asks_what_applies
from knowledge.matching import match_profile, stated_profile


def profile(ctx: Context) -> dict[str, Any]:
    """Everything the conversation has said about the enterprise: each message read by
    the facts' cues (later ones winning), then the answers the slot keeps."""
    book = ctx.services.rules
    facts: dict[str, Any] = {}
    for text in ctx.user_texts:
        facts.update(stated_profile(text, book))
    facts.update({k: v for k, v in remembered(ctx).items() if k not in facts})
    return facts


def match_reply(ctx: Context, text: str) -> tuple[list[Reply], list[dict[str, Any]]] | None:
    """The matching list, when the message asks what applies (and something is known of
    the enterprise), or adds facts right after a list; None otherwise."""
    again = after_match(ctx) and bool(stated_profile(text, ctx.services.rules))
    if not (asks_what_applies(text) or again):
        return None
    facts = profile(ctx)
    if not facts:
        return None
    result = match_profile(facts, ctx.services.catalog, ctx.services.rules)
    reply, listed = matched_reply(result, facts, ctx.services.rules)
    refs = [ctx.services.catalog.ref(m) for m in listed]
    events = [slot_event(FACTS_SLOT, to_slot(facts)), slot_event(OFFERED_MEASURES, refs),
              *current_event(ctx, listed[:1])]
    return [reply], events

