"""REST API for the operator console and integrations (no Rasa involved).

A measure is (doc_id, number): every measure in a response carries its doc_id, and its
citation names the document when several are loaded (《简称》第44条). A number alone is
resolved as a chat question's 第44条 is (the newest document that has one) unless ?doc=
names the document.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel

from api.deps import ServicesDep
from index.keywords import content_words, covers
from knowledge.errors import MeasureNotFound, UnknownDepartment, UnknownDocument
from knowledge.models import Document, Measure
from knowledge.validity import validity_of
from knowledge.views import document_view, measure_view

router = APIRouter(prefix="/api", tags=["measures"], responses={
    404: {"description": "No such measure, document or department"},
    503: {"description": "The index is still loading"}})

# Bounded like every public input: a measure number is a small positive integer, a
# department or document name a short string.
MeasureNumber = Annotated[int, Path(ge=1, le=9999)]
DepartmentQuery = Annotated[str | None, Query(max_length=50)]
DocQuery = Annotated[str | None, Query(max_length=64)]


class SearchHit(BaseModel):
    measure: int
    doc_id: str
    citation: str
    superseded_by: dict[str, Any] | None = None
    score: float
    answerable: bool
    text: str
    departments: list[str]
    terms: list[str]
    highlights: list[list[int]]
    chapter: dict[str, Any]
    section: dict[str, Any]
    validity: dict[str, Any]


class SearchResponse(BaseModel):
    query: str
    answerable: bool
    results: list[SearchHit]


def _highlights(text: str, terms: list[str]) -> list[list[int]]:
    """[start, end) character spans of each query term in the text, for marking."""
    spans = []
    for term in terms:
        start = text.find(term)
        while start >= 0:
            spans.append([start, start + len(term)])
            start = text.find(term, start + len(term))
    return sorted(spans)


@router.get("/search", response_model=SearchResponse)
def search(
    services: ServicesDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="The question")],
    k: Annotated[int, Query(ge=1, le=75)] = 5,
    department: DepartmentQuery = None,
    chapter: Annotated[int | None, Query(ge=1, le=20)] = None,
    in_force: bool = False,
    doc: DocQuery = None,
    superseded: Annotated[bool, Query(description="Also offer measures a later document "
                                                  "replaced")] = False,
) -> Any:
    measures = services.index.measures
    allowed = set(range(len(measures)))
    if doc:
        _document(services, doc)
        allowed = {i for i in allowed if measures[i].doc_id == doc}
    if department:
        try:
            name = services.catalog.table.resolve(department)
        except UnknownDepartment as exc:
            raise HTTPException(404, str(exc)) from exc
        allowed = {i for i in allowed if name in measures[i].departments}
    if chapter is not None:
        allowed = {i for i in allowed if measures[i].chapter.number == chapter}
    if in_force:
        allowed = {i for i in allowed if validity_of(measures[i]).in_force}
    results = services.index.search(q, k=k, allowed=allowed, include_superseded=superseded)
    hits = []
    for r in results:
        view = measure_view(r.measure)
        hits.append(SearchHit(measure=r.measure.number, doc_id=r.measure.doc_id,
                              citation=r.measure.citation, superseded_by=view["superseded_by"],
                              score=round(r.score, 4),
                              answerable=r.answerable, text=r.measure.text,
                              departments=r.measure.departments, terms=r.terms,
                              highlights=_highlights(r.measure.text, r.terms),
                              chapter=view["chapter"], section=view["section"],
                              validity=view["validity"]))
    # The gate was tuned on chat questions; operators type keywords ("出口信用保险"). A
    # query whose every content word a listed measure contains is answered by it.
    content = content_words(services.index.words(q))
    answerable = bool(results) and (results[0].answerable
                                    or any(covers(r.measure, content) for r in results))
    return SearchResponse(query=q, answerable=answerable, results=hits)


def _measure(services: ServicesDep, number: int, doc: str | None) -> Measure:
    try:
        return services.catalog.measure(number, doc)
    except (MeasureNotFound, UnknownDocument) as exc:
        raise HTTPException(404, str(exc)) from exc


def _document(services: ServicesDep, doc: str) -> Document:
    try:
        return services.catalog.document(doc)
    except UnknownDocument as exc:
        raise HTTPException(404, str(exc)) from exc


def _view(services: ServicesDep, measure: Measure) -> dict[str, Any]:
    return measure_view(measure, document=services.catalog.document(measure.doc_id).info)


@router.get("/documents")
def documents(services: ServicesDep) -> list[dict[str, Any]]:
    """The loaded documents, newest first: identity, measure count, what each replaces."""
    return [{**document_view(d.info), "measures": len(d.measures),
             "supersedes": [{"doc_id": c.doc_id, "measures": c.measures} for c in d.info.supersedes]}
            for d in services.catalog.documents]


@router.get("/measures/{number}")
def get_measure(services: ServicesDep, number: MeasureNumber, doc: DocQuery = None) -> dict[str, Any]:
    return _view(services, _measure(services, number, doc))


@router.get("/measures")
def list_measures(
    services: ServicesDep,
    department: DepartmentQuery = None,
    chapter: Annotated[int | None, Query(ge=1, le=20)] = None,
    in_force: bool = False,
    doc: DocQuery = None,
) -> list[dict[str, Any]]:
    try:
        measures = (services.catalog.measures_of(department) if department
                    else services.catalog.measures)
    except UnknownDepartment as exc:
        raise HTTPException(404, str(exc)) from exc
    if doc:
        _document(services, doc)
        measures = [m for m in measures if m.doc_id == doc]
    if chapter is not None:
        measures = [m for m in measures if m.chapter.number == chapter]
    if in_force:
        measures = [m for m in measures if validity_of(m).in_force]
    return [_view(services, m) for m in measures]


class MeasureId(BaseModel):
    doc_id: str
    number: int


@router.get("/departments")
def departments(services: ServicesDep, doc: DocQuery = None
                ) -> dict[str, list[int] | list[MeasureId]]:
    """{department: [measure numbers]} with one document loaded (or ?doc=); with several,
    numbers alone are ambiguous: {department: [{"doc_id", "number"}]}."""
    if doc:
        _document(services, doc)
    out: dict[str, list[int] | list[MeasureId]] = {}
    for name, ms in services.catalog.departments().items():
        kept = [m for m in ms if doc in (None, m.doc_id)]
        if not kept:
            continue
        if doc or not services.catalog.several:
            out[name] = [m.number for m in kept]
        else:
            out[name] = [MeasureId(doc_id=m.doc_id, number=m.number) for m in kept]
    return out


@router.get("/departments/{name}/measures")
def department_measures(services: ServicesDep, name: Annotated[str, Path(max_length=50)]) -> dict[str, Any]:
    try:
        canonical = services.catalog.table.resolve(name)
    except UnknownDepartment as exc:
        raise HTTPException(404, str(exc)) from exc
    measures = services.catalog.departments().get(canonical, [])
    return {"department": canonical, "measures": [_view(services, m) for m in measures]}
