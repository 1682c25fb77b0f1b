"""POST /api/match: an enterprise's profile -> every measure it can use, grouped.

For the /match page and for other district systems ("policy calculator"). The profile is
the eligibility facts (GET /api/match/facts lists them with their questions and quick
replies), each value read by the fact's own parser, so "200万美元", 200 and [150, 250]
all work as they do in the chat. The body is hostile like any public input: bounded in
entries, key shape and value size (422 naming the field, never echoing a value), a value
that does not read as its fact is a 422 with the hint the chat would give, and every
request is counted by the same fair-use limits as the chat (api/fair_use.py; 429 with
Retry-After). Nothing is stored: the profile lives in the caller.
"""

from __future__ import annotations

import logging
import math
from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Depends, Request
from pydantic import AfterValidator, BaseModel, Field, StringConstraints
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep
from api.errors import UNAVAILABLE, ApiError
from api.fair_use import FairUse, TooManyRequests
from api.routers.chat import ERRORS, too_many
from api.services import Services
from api.shared_state import SharedStateUnavailable
from knowledge.facts import Fact
from knowledge.matching import (
    ELIGIBLE,
    EXPIRED,
    GROUP_TITLES,
    POSSIBLE,
    Match,
    MatchResult,
    ProfileInvalid,
    match_profile,
    read_profile,
)
from knowledge.models import Measure
from knowledge.validity import describe_validity, validity_badge

log = logging.getLogger(__name__)

MAX_FACTS = 64
MAX_TEXT = 100
# A profile value: what a form or a person would give for one fact.
FactName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_TEXT)]


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("number must be finite")
    return value


Number = Annotated[float, Field(ge=-1e12, le=1e12), AfterValidator(_finite)]
Integer = Annotated[int, Field(ge=-10**12, le=10**12)]
Scalar = bool | Integer | Number | Text
Range = Annotated[list[Number | None], Field(min_length=2, max_length=2)]
RANGE_HINT = "区间请写成[下限, 上限],没有上限时上限写null"
Value = Scalar | Range | None


def _a_range(value: list[float | None]) -> bool:
    """[low, high]: a low end, and a high end not below it or null ("30人以上")."""
    low, high = value
    return low is not None and (high is None or high >= low)


class MatchRequest(BaseModel):
    profile: Annotated[dict[FactName, Value], Field(
        max_length=MAX_FACTS, json_schema_extra={"additionalProperties": False},
        description="Fact name -> value (true/false, a number, text as a person would say it, "
                    "[low, high] with null for no upper end, or null for not known). "
                    "GET /api/match/facts lists the facts.")]


class Amount(BaseModel):
    low: float
    high: float
    unit: str


class ConditionState(BaseModel):
    id: str
    text: str
    outcome: Literal["met", "not_met", "unknown"]


class MatchedMeasure(BaseModel):
    doc_id: str
    measure: int
    citation: str
    summary: str
    benefits: list[str]
    amount: Amount | None
    departments: list[str]
    validity: str = Field(description="The validity badge: 有效, 已于…到期 or 已被取代")
    validity_sentence: str
    conditions: list[ConditionState]
    missing: list[str] = Field(description="Facts still unknown that decide a condition")
    href: str


GroupId = Literal["eligible", "possible", "expired"]


class Group(BaseModel):
    id: GroupId
    title: str
    measures: list[MatchedMeasure]


class OpenMeasure(BaseModel):
    doc_id: str
    measure: int
    citation: str
    note: str
    departments: list[str]
    href: str


class FactQuestion(BaseModel):
    fact: str
    type: str
    question: str
    hint: str
    choices: list[str]
    unit: str


class Question(FactQuestion):
    weight: float = Field(description="How many measures the answer would decide (a measure "
                                      "waiting for n facts counts 1/n)")
    measures: list[str] = Field(description="Citations of the measures it would decide")


class MatchResponse(BaseModel):
    as_of: str
    groups: list[Group]
    unconditioned: list[OpenMeasure] = Field(description="Benefits whose document states no "
                                                         "conditions: ask the departments")
    questions: list[Question] = Field(description="Unknown facts, most decisive first")
    ignored: list[str] = Field(default_factory=list, description="Profile names that are no "
                                                                 "fact of the rules (see /api/match/facts)")


router = APIRouter(prefix="/api", tags=["matching"])


def _fair_use(request: Request) -> FairUse:
    fair_use: FairUse = request.app.state.fair_use
    return fair_use


FairUseDep = Annotated[FairUse, Depends(_fair_use)]


def _href(measure: Measure, services: Services) -> str:
    query = f"?doc={measure.doc_id}" if services.catalog.several else ""
    return f"/measures/{measure.number}{query}"


def _matched(m: Match, services: Services) -> MatchedMeasure:
    amount = None if m.amount is None else Amount(low=m.amount[0], high=m.amount[1],
                                                   unit=m.amount_unit)
    return MatchedMeasure(
        doc_id=m.measure.doc_id, measure=m.measure.number, citation=m.measure.citation,
        summary=m.rule.summary, benefits=m.benefits, amount=amount,
        departments=m.measure.departments, validity=validity_badge(m.validity),
        validity_sentence=describe_validity(m.validity),
        conditions=[ConditionState(id=r.condition.id, text=r.condition.text,
                                   outcome=r.outcome.value) for r in m.verdict.results],
        missing=m.missing, href=_href(m.measure, services))


def fact_question(fact: Fact) -> dict[str, Any]:
    choices = list(fact.choices) if fact.type == "choice" else ["是", "否"] if \
        fact.type == "boolean" else []
    return {"fact": fact.name, "type": fact.type, "question": fact.question, "hint": fact.hint,
            "choices": choices, "unit": fact.unit}


def response(result: MatchResult, services: Services) -> MatchResponse:
    groups = [Group(id=cast(GroupId, g), title=GROUP_TITLES[g], measures=[_matched(m, services)
                                                            for m in result.group(g)])
              for g in (ELIGIBLE, POSSIBLE, EXPIRED)]
    unconditioned = []
    for measure in result.unconditioned:
        kind = services.rules.kind(measure.doc_id, measure.number)
        unconditioned.append(OpenMeasure(
            doc_id=measure.doc_id, measure=measure.number, citation=measure.citation,
            note=kind.note if kind else "", departments=measure.departments,
            href=_href(measure, services)))
    questions = [Question(**fact_question(q.fact), weight=q.weight,
                          measures=[m.citation for m in q.measures]) for q in result.questions]
    return MatchResponse(as_of=result.as_of.isoformat(), groups=groups,
                         unconditioned=unconditioned, questions=questions)


async def charge(request: Request, fair_use: FairUse) -> None:
    """Count one request against the client's fair-use budget (429, or 503 without Redis)."""
    try:
        await fair_use.charge(fair_use.client(request), None, 1)
    except TooManyRequests as exc:
        raise too_many(exc) from exc
    except SharedStateUnavailable as exc:
        log.error("match: shared state (Redis) unavailable: %s", exc)
        raise ApiError(503, "unavailable", UNAVAILABLE) from exc


def _run(body: MatchRequest, services: Services) -> MatchResponse:
    """Names that are no fact of the loaded rules are left out and listed in `ignored`
    (rules are data: a caller written against another version must still get an answer);
    a value that does not read as its fact is a 422 naming the fact."""
    known = {k: v for k, v in body.profile.items() if k in services.rules.facts}
    problems = [(k, RANGE_HINT) for k, v in known.items() if isinstance(v, list) and not _a_range(v)]
    try:
        facts = read_profile({k: v for k, v in known.items() if k not in dict(problems)},
                             services.rules)
    except ProfileInvalid as exc:
        problems += exc.problems
    if problems:
        raise ApiError(422, "invalid_profile", [{"fact": f, "msg": why} for f, why in problems[:10]])
    result = response(match_profile(facts, services.catalog, services.rules), services)
    result.ignored = sorted(k for k in body.profile if k not in known)
    return result


@router.post("/match", response_model=MatchResponse, responses={
    k: v for k, v in ERRORS.items() if k in (400, 413, 422, 429, 503)})
async def match(body: MatchRequest, request: Request, services: ServicesDep,
                fair_use: FairUseDep) -> Any:
    """Every measure the profile qualifies for (符合), may qualify for once the facts in
    `missing` are known (可能符合), or would have qualified for before it ended (已到期),
    best first; the benefits worked out where a rule has a formula; the facts still
    unknown, most decisive first. Counted by the chat's per-client rate limits."""
    await charge(request, fair_use)
    return await run_in_threadpool(_run, body, services)


@router.get("/match/facts", response_model=list[FactQuestion])
def facts(services: ServicesDep) -> Any:
    """The profile's facts with their questions and quick replies (the eligibility form's)."""
    return [fact_question(f) for f in services.rules.facts.values()]

