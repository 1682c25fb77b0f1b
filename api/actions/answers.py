"""Answer actions: free questions, departments, a department's measures, one measure."""

from __future__ import annotations

from api import compose
from api.actions.base import CURRENT_MEASURES, FOLLOW_UP_MAX_CHARS, Action, ActionResult, Context
from api.protocol import slot_event
from index.hybrid import SearchResult
from knowledge.entities import find_measure_numbers, plain_measure_number
from knowledge.errors import MeasureNotFound
from knowledge.models import Measure
from knowledge.validity import describe_validity, validity_of

_ANAPHORA = ("那", "这", "它", "该", "此", "还", "具体")


def _is_follow_up(text: str) -> bool:
    """Short and leaning on what came before ("那补贴多少?", "还有效吗")."""
    return len(text) <= FOLLOW_UP_MAX_CHARS and (text.startswith(_ANAPHORA) or "呢" in text)


def _search(ctx: Context, k: int = 3) -> list[SearchResult]:
    """Retrieval over the latest message; a short follow-up ("那补贴多少?") is searched
    together with the current measure's topic so it stays on that measure."""
    text = ctx.text
    results = ctx.services.index.search(text, k=k)
    current = ctx.current_measures
    if current and _is_follow_up(text) and (not results or not results[0].answerable):
        measure = _measures(ctx, current)[0]
        results = ctx.services.index.search(f"{measure.section.title} {text}", k=k)
    return results


def _measures(ctx: Context, numbers: list[int]) -> list[Measure]:
    out = []
    for number in numbers:
        try:
            out.append(ctx.services.catalog.measure(number))
        except MeasureNotFound:
            continue
    return out


def answer_question(ctx: Context) -> ActionResult:
    results = _search(ctx)
    reply = compose.answer(results)
    events = []
    if reply.custom.get("citations"):
        events.append(slot_event(CURRENT_MEASURES, reply.custom["citations"][:1]))
    return ActionResult([reply], events)


def _named_numbers(ctx: Context) -> list[int]:
    """Measure numbers the message names, in text (第N条) or as entities."""
    named = [plain_measure_number(n) for n in ctx.entities("measure_number")]
    return find_measure_numbers(ctx.text) + [n for n in named if n is not None]


def _referenced(ctx: Context) -> list[Measure]:
    """Measures the message names (第N条), else the current ones, else the best match."""
    numbers = _named_numbers(ctx)
    if numbers:
        return _measures(ctx, numbers)
    results = ctx.services.index.search(ctx.text, k=1)
    if results and results[0].answerable:
        return [results[0].measure]
    return _measures(ctx, ctx.current_measures)


def answer_department(ctx: Context) -> ActionResult:
    measures = _referenced(ctx)
    if not measures:
        return ActionResult([compose.Reply(compose.NO_ANSWER, {"citations": []})])
    return ActionResult([compose.department_answer(measures)],
                        [slot_event(CURRENT_MEASURES, [m.number for m in measures][:1])])


def list_department_measures(ctx: Context) -> ActionResult:
    table = ctx.services.catalog.table
    said = ctx.entities("department") + [ctx.text]
    name = next((found for s in said if (found := table.find(s))), None)
    if name is None:
        known = "、".join(list(ctx.services.catalog.departments())[:6])
        return ActionResult([compose.Reply(f"抱歉,没有识别出您说的部门。可以这样问:“区商务局负责哪些措施?”"
                                           f"(例如:{known}等)", {"citations": []})])
    return ActionResult([compose.department_measures(name, ctx.services.catalog.departments().get(name, []))])


def show_measure(ctx: Context) -> ActionResult:
    numbers = _named_numbers(ctx)
    if not numbers:
        numbers = ctx.current_measures
    measures = _measures(ctx, numbers)
    if not measures:
        total = len(ctx.services.catalog.document().measures)
        asked = f"第{numbers[0]}条" if numbers else "这条措施"
        return ActionResult([compose.Reply(f"文件中没有{asked}。现有措施编号为第1条至第{total}条。",
                                           {"citations": []})])
    return ActionResult([compose.full_measure(m) for m in measures],
                        [slot_event(CURRENT_MEASURES, [m.number for m in measures][:1])])


def _topic_measures(ctx: Context) -> list[Measure]:
    """For questions about a measure's status or procedure: the measure named, else for a
    short question the current one, else what the question is about."""
    if _named_numbers(ctx) or len(ctx.text) > FOLLOW_UP_MAX_CHARS:
        return _referenced(ctx)
    return _measures(ctx, ctx.current_measures) or _referenced(ctx)


def answer_validity(ctx: Context) -> ActionResult:
    measures = _topic_measures(ctx)
    if not measures:
        return ActionResult([compose.Reply(compose.NO_ANSWER, {"citations": []})])
    lines = [f"{m.citation}:{describe_validity(validity_of(m))}" for m in measures]
    return ActionResult([compose.Reply("\n".join(lines), {
        "citations": [m.number for m in measures],
        "validity": [compose.measure_payload(m) for m in measures]})])


def how_to_apply(ctx: Context) -> ActionResult:
    measures = _topic_measures(ctx)[:1]
    if not measures:
        return ActionResult([compose.Reply(compose.NO_ANSWER, {"citations": []})])
    return ActionResult([compose.how_to_apply(measures[0])],
                        [slot_event(CURRENT_MEASURES, [measures[0].number])])


ANSWER_ACTIONS: dict[str, Action] = {
    "action_answer_question": answer_question,
    "action_answer_department": answer_department,
    "action_list_department_measures": list_department_measures,
    "action_show_measure": show_measure,
    "action_answer_validity": answer_validity,
    "action_how_to_apply": how_to_apply,
}
