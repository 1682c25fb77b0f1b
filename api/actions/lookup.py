"""Which measures a message is about: named by number, the conversation's current one
for a short follow-up, or found by search. Shared by every answer action."""

from __future__ import annotations

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from api.actions.base import CURRENT_MEASURES, FOLLOW_UP_MAX_CHARS, OFFERED_MEASURES, Context
from api.protocol import slot_event
from index.hybrid import SearchResult
from index.keywords import content_words
from index.tokenize import stem, strip_framing
from knowledge.dialogue_cues import FOLLOW_UP_WORDS, LIST_ITEM, after_stop, picks_from_list
from knowledge.entities import find_measure_numbers, plain_measure_number
from knowledge.mentions import named_documents, named_measures
from knowledge.models import Measure
from knowledge.numerals import parse_chinese_number

LIST_PICK_MAX_CHARS = 30

_ANAPHORA = ("那", "这", "它", "该", "此", "还", "具体")


def is_follow_up(text: str) -> bool:
    """Short and leaning on what came before ("那补贴多少?", "还有效吗")."""
    return len(text) <= FOLLOW_UP_MAX_CHARS and (text.startswith(_ANAPHORA) or "呢" in text)


def search(ctx: Context, text: str | None = None, k: int = 3,
           allowed: set[int] | None = None) -> list[SearchResult]:
    """Retrieval over the message (or the given text); a short follow-up ("那补贴多少?")
    is searched together with the current measure's topic so it stays on that measure. A
    question that names a document is searched in it, replaced measures included: it asks
    for them. allowed: only these index positions (a list just offered)."""
    text = ctx.text if text is None else text
    index = ctx.services.index
    catalog = ctx.services.catalog
    named = {d.info.doc_id for d in named_documents(text, catalog)} if catalog.several else set()
    if named:
        allowed = {i for i, m in enumerate(index.measures) if m.doc_id in named} & (
            allowed if allowed is not None else set(range(len(index.measures))))
    results = index.search(text, k=k, allowed=allowed, include_superseded=bool(named))
    current = ctx.current_measures
    if allowed is None and current and is_follow_up(text) and \
            (not results or not results[0].answerable):
        measures = ctx.measures(current)
        if measures:
            results = index.search(f"{measures[0].section.title} {text}", k=k)
    return results


def current_event(ctx: Context, measures: list[Measure]) -> list[dict[str, object]]:
    """The event that makes the first measure the conversation's current one."""
    return [slot_event(CURRENT_MEASURES, [ctx.services.catalog.ref(m) for m in measures][:1])]


def named_numbers(ctx: Context, text: str | None = None) -> list[int]:
    """Measure numbers the message names, in text (第N条) or as entities."""
    if text is not None:
        return find_measure_numbers(text)
    named = [plain_measure_number(n) for n in ctx.entities("measure_number")]
    return find_measure_numbers(ctx.text) + [n for n in named if n is not None]


def named(ctx: Context, text: str | None = None) -> tuple[list[Measure], list[int]]:
    """The measures the message names (in the documents it names, if any), and the
    numbers no such document has."""
    numbers = list(dict.fromkeys(named_numbers(ctx, text)))
    return named_measures(ctx.text if text is None else text, ctx.services.catalog, numbers)


def names_a_topic(ctx: Context, text: str) -> bool:
    """The message says what it is about ("那展会的找哪个部门?"), not only what it wants
    to know of the measure under discussion ("这个钱找哪个部门申请?")."""
    ignored = {stem(w) for w in FOLLOW_UP_WORDS} | set(ENGLISH_STOP_WORDS)
    return any(w not in ignored for w in content_words(ctx.services.index.words(text)))


def after_match(ctx: Context) -> bool:
    """The bot's last message before the user's latest was a matching list."""
    events = ctx.call.tracker.events
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=0)
    for event in reversed(events[:last_user]):
        if event.get("event") == "bot":
            return bool(((event.get("data") or {}).get("custom") or {}).get("match"))
    return False


def listed_item(ctx: Context, text: str) -> Measure | None:
    """"第2个怎么申请?" right after a matching list: its second item."""
    if len(text) > LIST_PICK_MAX_CHARS or not after_match(ctx):
        return None
    m = LIST_ITEM.search(text)
    if m is None:
        return None
    token = m.group(1)
    position = int(token) if token.isdigit() else parse_chinese_number(token)
    offered = ctx.measures(list(ctx.slot(OFFERED_MEASURES) or []))
    if position is None or not 1 <= position <= len(offered):
        return None
    return offered[position - 1]


def referenced(ctx: Context) -> list[Measure]:
    """The measures a question about a department, validity or procedure is about: those
    it names (第N条), the item of a list just offered it picks ("保险那条归谁管?"), the
    current one when it names no topic of its own, else the best match, else the current."""
    if (item := listed_item(ctx, ctx.text)) is not None:
        return [item]
    if named_numbers(ctx):
        return named(ctx)[0]
    text = after_stop(ctx.text) or ctx.text  # "换个问题,展会补贴找哪个部门?"
    current = ctx.measures(ctx.current_measures)
    offered = ctx.measures(list(ctx.slot(OFFERED_MEASURES) or []))
    if offered and picks_from_list(text):
        positions = {i for i, m in enumerate(ctx.services.index.measures) if m in offered}
        results = search(ctx, text, k=1, allowed=positions)
        if results and results[0].terms:
            return [results[0].measure]
    if current and not names_a_topic(ctx, text):
        return current
    # What the question is about, not how it asks: "找哪个部门" pulls towards measures
    # whose bank questions ask for departments.
    results = ctx.services.index.search(strip_framing(text), k=1)
    if results and results[0].answerable:
        return [results[0].measure]
    return current
