"""Answer actions: free questions, departments, a department's measures, one measure.

With several documents loaded, a measure is named by document and number: 第44条 alone
is resolved by the catalog (the newest document that has one) and the reply cites the
document it used; "2023年文件第44条" or "《简称》第44条" picks that document. A measure a
later document replaced is answered as replaced, pointing at what replaced it.
"""

from __future__ import annotations

from api import compose
from api.actions.base import CURRENT_MEASURES, FOLLOW_UP_MAX_CHARS, Action, ActionResult, Context
from api.protocol import slot_event
from index.hybrid import SearchResult
from knowledge.entities import find_measure_numbers, plain_measure_number
from knowledge.mentions import named_documents, named_measures
from knowledge.models import Measure
from knowledge.validity import describe_validity, validity_of

_ANAPHORA = ("那", "这", "它", "该", "此", "还", "具体")


def _is_follow_up(text: str) -> bool:
    """Short and leaning on what came before ("那补贴多少?", "还有效吗")."""
    return len(text) <= FOLLOW_UP_MAX_CHARS and (text.startswith(_ANAPHORA) or "呢" in text)


def _search(ctx: Context, k: int = 3) -> list[SearchResult]:
    """Retrieval over the latest message; a short follow-up ("那补贴多少?") is searched
    together with the current measure's topic so it stays on that measure. A question
    that names a document is searched in it, replaced measures included: it asks for them."""
    text = ctx.text
    index = ctx.services.index
    catalog = ctx.services.catalog
    named = {d.info.doc_id for d in named_documents(text, catalog)} if catalog.several else set()
    allowed = {i for i, m in enumerate(index.measures) if m.doc_id in named} if named else None
    results = index.search(text, k=k, allowed=allowed, include_superseded=bool(named))
    current = ctx.current_measures
    if current and _is_follow_up(text) and (not results or not results[0].answerable):
        measures = ctx.measures(current)
        if measures:
            results = index.search(f"{measures[0].section.title} {text}", k=k)
    return results


def _current(ctx: Context, measures: list[Measure]) -> list[dict[str, object]]:
    """The event that makes the first measure the conversation's current one."""
    return [slot_event(CURRENT_MEASURES, [ctx.services.catalog.ref(m) for m in measures][:1])]


def answer_question(ctx: Context) -> ActionResult:
    results = _search(ctx)
    reply = compose.answer(results)
    events = _current(ctx, [results[0].measure]) if reply.custom.get("citations") else []
    return ActionResult([reply], events)


def _named_numbers(ctx: Context) -> list[int]:
    """Measure numbers the message names, in text (第N条) or as entities."""
    named = [plain_measure_number(n) for n in ctx.entities("measure_number")]
    return find_measure_numbers(ctx.text) + [n for n in named if n is not None]


def _named(ctx: Context) -> tuple[list[Measure], list[int]]:
    """The measures the message names (in the documents it names, if any), and the
    numbers no such document has."""
    numbers = list(dict.fromkeys(_named_numbers(ctx)))
    return named_measures(ctx.text, ctx.services.catalog, numbers)


def _referenced(ctx: Context) -> list[Measure]:
    """Measures the message names (第N条), else the current ones, else the best match."""
    if _named_numbers(ctx):
        return _named(ctx)[0]
    results = ctx.services.index.search(ctx.text, k=1)
    if results and results[0].answerable:
        return [results[0].measure]
    return ctx.measures(ctx.current_measures)


def _which_document(ctx: Context, measures: list[Measure]) -> str:
    """With several documents, a bare 第N条 that several of them have: which one the reply
    used and how to ask for another. Empty when the message named its document."""
    catalog = ctx.services.catalog
    if not catalog.several or named_documents(ctx.text, catalog) or not _named_numbers(ctx):
        return ""
    notes = []
    for measure in measures:
        others = catalog.namesakes(measure)
        if others:
            listed = "、".join(m.citation for m in others)
            notes.append(f"注:多份文件都有第{measure.number}条,以上为{measure.citation};"
                         f"如需查看{listed},请注明文件名称或年份,例如“2023年文件第{measure.number}条”。")
    return "\n".join(notes)


def _with_note(replies: list[compose.Reply], note: str) -> list[compose.Reply]:
    if note and replies:
        replies[-1].text += "\n" + note
    return replies


def answer_department(ctx: Context) -> ActionResult:
    measures = _referenced(ctx)
    if not measures:
        return ActionResult([compose.Reply(compose.NO_ANSWER, compose.nothing_cited())])
    return ActionResult(_with_note([compose.department_answer(measures)], _which_document(ctx, measures)),
                        _current(ctx, measures))


def list_department_measures(ctx: Context) -> ActionResult:
    table = ctx.services.catalog.table
    said = ctx.entities("department") + [ctx.text]
    name = next((found for s in said if (found := table.find(s))), None)
    if name is None:
        known = "、".join(list(ctx.services.catalog.departments())[:6])
        return ActionResult([compose.Reply(f"抱歉,没有识别出您说的部门。可以这样问:“区商务局负责哪些措施?”"
                                           f"(例如:{known}等)", compose.nothing_cited())])
    return ActionResult([compose.department_measures(name, ctx.services.catalog.departments().get(name, []))])


def _not_found(ctx: Context, missing: list[int]) -> str:
    """Which numbers exist: 第1条至第75条, per document when several are loaded."""
    catalog = ctx.services.catalog
    asked = f"第{missing[0]}条" if missing else "这条措施"
    named = named_documents(ctx.text, catalog) if catalog.several else []
    if not catalog.several:
        return f"文件中没有{asked}。现有措施编号为第1条至第{len(catalog.document().measures)}条。"
    documents = named or catalog.documents
    ranges = ";".join(f"《{d.info.name}》第1条至第{len(d.measures)}条" for d in documents)
    where = "、".join(f"《{d.info.name}》" for d in named) if named else "现有文件"
    return f"{where}中没有{asked}。现有措施编号为:{ranges}。"


def show_measure(ctx: Context) -> ActionResult:
    measures, missing = _named(ctx)
    if not measures and not missing:
        measures = ctx.measures(ctx.current_measures)
    if not measures:
        return ActionResult([compose.Reply(_not_found(ctx, missing), compose.nothing_cited())])
    catalog = ctx.services.catalog
    replies = []
    for m in measures:
        successor = catalog.successor(m) if m.superseded_by is not None else None
        replies.append(compose.superseded_measure(m, successor) if m.superseded_by is not None
                       else compose.full_measure(m))
    # Follow-ups ("还有效吗?") are about what is in force: the successor of a replaced one.
    first = measures[0]
    current = (catalog.successor(first) or first) if first.superseded_by is not None else first
    return ActionResult(_with_note(replies, _which_document(ctx, measures)), _current(ctx, [current]))


def _topic_measures(ctx: Context) -> list[Measure]:
    """For questions about a measure's status or procedure: the measure named, else for a
    short question the current one, else what the question is about."""
    if _named_numbers(ctx) or len(ctx.text) > FOLLOW_UP_MAX_CHARS:
        return _referenced(ctx)
    return ctx.measures(ctx.current_measures) or _referenced(ctx)


def answer_validity(ctx: Context) -> ActionResult:
    measures = _topic_measures(ctx)
    if not measures:
        return ActionResult([compose.Reply(compose.NO_ANSWER, compose.nothing_cited())])
    lines = [f"{m.citation}:{describe_validity(validity_of(m))}" for m in measures]
    return ActionResult(_with_note([compose.Reply("\n".join(lines), {
        **compose.cited(measures),
        "validity": [compose.measure_payload(m) for m in measures]})], _which_document(ctx, measures)))


def how_to_apply(ctx: Context) -> ActionResult:
    measures = _topic_measures(ctx)[:1]
    if not measures:
        return ActionResult([compose.Reply(compose.NO_ANSWER, compose.nothing_cited())])
    measure = measures[0]
    successor = ctx.services.catalog.successor(measure) if measure.superseded_by else None
    reply = compose.how_to_apply(successor or measure)
    if successor is not None:
        reply.text = f"{measure.citation}已被{successor.citation}取代,以下按{successor.citation}说明。\n" \
                     + reply.text
    return ActionResult(_with_note([reply], _which_document(ctx, measures)),
                        _current(ctx, [successor or measure]))


ANSWER_ACTIONS: dict[str, Action] = {
    "action_answer_question": answer_question,
    "action_answer_department": answer_department,
    "action_list_department_measures": list_department_measures,
    "action_show_measure": show_measure,
    "action_answer_validity": answer_validity,
    "action_how_to_apply": how_to_apply,
}
