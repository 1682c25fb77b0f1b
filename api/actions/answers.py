"""Answer actions: free questions, departments, a department's measures, one measure.

With several documents loaded, a measure is named by document and number: 第44条 alone
is resolved by the catalog (the newest document that has one) and the reply cites the
document it used; "2023年文件第44条" or "《简称》第44条" picks that document. A measure a
later document replaced is answered as replaced, pointing at what replaced it.
"""

from __future__ import annotations

from api import compose
from api.actions.base import Action, ActionResult, Context
from api.actions.lookup import current_event, named, named_numbers, referenced
from api.actions.questions import answer_question, picked
from knowledge.dialogue_cues import asks_specifically
from knowledge.mentions import named_documents
from knowledge.models import Measure


def _which_document(ctx: Context, measures: list[Measure]) -> str:
    """With several documents, a bare 第N条 that several of them have: which one the reply
    used and how to ask for another. Empty when the message named its document."""
    catalog = ctx.services.catalog
    if not catalog.several or named_documents(ctx.text, catalog) or not named_numbers(ctx):
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
    if _picks_a_measure(ctx):
        return answer_question(ctx)
    measures = referenced(ctx)
    if not measures:
        return ActionResult([compose.no_answer(ctx.language)])
    reply = compose.department_answer(measures, ctx.language)
    return ActionResult(_with_note([reply], _which_document(ctx, measures)), current_event(ctx, measures))


def list_department_measures(ctx: Context) -> ActionResult:
    table = ctx.services.catalog.table
    said = ctx.entities("department") + [ctx.text]
    name = next((found for s in said if (found := table.find(s))), None)
    if name is None:
        # "外贸企业都有哪些扶持?" is asked like "区商务局负责哪些措施?" but names no
        # department: it is a broad question, answered with an overview.
        return answer_question(ctx)
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
    measures, missing = named(ctx)
    if not measures and not missing:
        if picked(ctx, ctx.text) is not None:  # "展会那条呢?" after an overview
            return answer_question(ctx)
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
    return ActionResult(_with_note(replies, _which_document(ctx, measures)), current_event(ctx, [current]))


def _picks_a_measure(ctx: Context) -> bool:
    """"贷款延期那条呢?" after an overview: whatever NLU took it for, the user wants that
    measure answered (unless the message asks for its department, validity or procedure)."""
    return picked(ctx, ctx.text) is not None and not asks_specifically(ctx.text)


def answer_validity(ctx: Context) -> ActionResult:
    if _picks_a_measure(ctx):
        return answer_question(ctx)
    measures = referenced(ctx)
    if not measures:
        return ActionResult([compose.no_answer(ctx.language)])
    return ActionResult(_with_note([compose.validity_answer(measures, ctx.language)],
                                   _which_document(ctx, measures)))


def how_to_apply(ctx: Context) -> ActionResult:
    if _picks_a_measure(ctx):
        return answer_question(ctx)
    measures = referenced(ctx)[:1]
    if not measures:
        return ActionResult([compose.no_answer(ctx.language)])
    measure = measures[0]
    successor = ctx.services.catalog.successor(measure) if measure.superseded_by else None
    reply = compose.how_to_apply(successor or measure, ctx.language)
    if successor is not None:
        reply.text = f"{measure.citation}已被{successor.citation}取代,以下按{successor.citation}说明。\n" \
                     + reply.text
    return ActionResult(_with_note([reply], _which_document(ctx, measures)),
                        current_event(ctx, [successor or measure]))


ANSWER_ACTIONS: dict[str, Action] = {
    "action_answer_department": answer_department,
    "action_list_department_measures": list_department_measures,
    "action_show_measure": show_measure,
    "action_answer_validity": answer_validity,
    "action_how_to_apply": how_to_apply,
}
