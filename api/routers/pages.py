"""Web pages: the widget's demo host page, the operators' console and one page per measure.

The widget and console are static files that call the JSON API from the browser. The
measure page is rendered here, because it is a link target (from chat answers and the
console) that must work as a plain page: shareable, printable, readable without script.
Everything is served from this app; nothing comes from a CDN (the site may be intranet).

Pages are Jinja2 templates (api/web/*.html) extending one layout, with autoescaping on,
so nothing taken from the address or the documents can turn into markup. Their Chinese
wording (headings with numerals, the validity badge and sentence) comes from the measure
JSON (knowledge/views.py), the same words the console shows.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from api.deps import ServicesDep
from api.match_form import fields_to_show, parse_body, read_form
from api.routers.match import charge, response
from knowledge.errors import MeasureNotFound, UnknownDocument
from knowledge.formatting import zh_date
from knowledge.matching import match_profile
from knowledge.models import Measure
from knowledge.views import measure_view

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
# ASCII digits only: str.isdigit() also accepts "²" and "１", which int() rejects or reads.
MEASURE_NUMBER = re.compile(r"[0-9]{1,4}")

templates = Jinja2Templates(env=jinja2.Environment(
    loader=jinja2.FileSystemLoader(WEB_DIR), autoescape=True, undefined=jinja2.StrictUndefined))

router = APIRouter(tags=["pages"], include_in_schema=False)
router.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")


def _render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


@router.get("/", response_class=HTMLResponse)
def widget_demo(request: Request) -> HTMLResponse:
    return _render(request, "index.html", title="红旗区惠企政策咨询", current="/")


@router.get("/operator", response_class=HTMLResponse)
def operator_console(request: Request, services: ServicesDep) -> HTMLResponse:
    """The console, given the documents' titles for the replies it composes."""
    titles = {d.info.doc_id: d.info.title for d in services.catalog.documents}
    return _render(request, "operator.html", title="政策检索 · 热线坐席", current="/operator",
                   documents=titles)


def _match_page(request: Request, services: ServicesDep, fields: dict[str, str]) -> HTMLResponse:
    posted = read_form(fields, services.rules)
    result = match_profile(posted.facts, services.catalog, services.rules)
    given, asking = fields_to_show(posted, result, services.rules)
    view = response(result, services)
    counts = {g.id: len(g.measures) for g in view.groups}
    return _render(request, "match.html", title="政策匹配 · 红旗区惠企政策", current="/match",
                   says=posted.says, given=given, asking=asking, result=view.model_dump(),
                   counts=counts, posted=bool(fields),
                   questions={n: f.question for n, f in services.rules.facts.items()},
                   status_code=422 if posted.errors else 200)


@router.get("/match", response_class=HTMLResponse)
def match_page(request: Request, services: ServicesDep) -> HTMLResponse:
    """The policy calculator: a short form of the profile's questions (only those that
    matter, revealed as answers come in) and the grouped result, printable."""
    return _match_page(request, services, {})


@router.post("/match", response_class=HTMLResponse)
async def match_page_posted(request: Request, services: ServicesDep) -> HTMLResponse:
    """The form posted (url-encoded; by match.js, or by the browser without script),
    counted by the same fair-use limits as /api/match."""
    await charge(request, request.app.state.fair_use)
    fields = parse_body(await request.body())
    return _match_page(request, services, fields)


def _find(services: ServicesDep, number: str, doc: str | None) -> Measure | None:
    if not MEASURE_NUMBER.fullmatch(number):
        return None
    try:
        return services.catalog.measure(int(number), doc)
    except (MeasureNotFound, UnknownDocument):
        return None


def _kind_view(services: ServicesDep, measure: Measure) -> dict[str, Any] | None:
    """What the measure is to an enterprise (its classification) and, for a rule, the
    conditions it checks: the page says who it is for before anyone asks the chat."""
    kind = services.rules.kind(measure.doc_id, measure.number)
    if kind is None:
        return None
    rule = services.rules.rule(measure.doc_id, measure.number)
    return {"kind": kind.kind, "label": kind.label, "note": kind.note,
            "conditions": [c.text for c in rule.conditions] if rule else [],
            "benefits": [b.text for b in rule.benefits] if rule else []}


@router.get("/measures/{number}", response_class=HTMLResponse)
def measure_page(request: Request, services: ServicesDep, number: str, doc: str | None = None
                 ) -> HTMLResponse:
    """Any unknown number (or not a number at all) gets the Chinese 404 page, not JSON.
    With several documents loaded, links carry ?doc= so they stay in the same document."""
    catalog = services.catalog
    measure = _find(services, number, doc)
    if measure is None:
        ranges = ";".join(f"《{d.info.name}》第1条至第{len(d.measures)}条" for d in catalog.documents) \
            if catalog.several else f"第1条至第{len(catalog.document().measures)}条"
        return _render(request, "not_found.html", status_code=404, title="未找到该措施", current="",
                       asked=number[:20], ranges=ranges)
    document = catalog.document(measure.doc_id)
    info = document.info
    replaced_by = None
    if measure.superseded_by is not None:
        successor = catalog.successor(measure)
        replaced_by = (
            {"citation": successor.citation,
             "href": f"/measures/{successor.number}?doc={quote(successor.doc_id)}"} if successor else
            {"citation": measure.superseded_by.citation,
             "href": f"/measures/1?doc={quote(measure.superseded_by.doc_id)}"})
    return _render(request, "measure.html", title=f"{measure.citation} · 政策措施", current="",
                   m=measure_view(measure, document=info), successor=replaced_by,
                   kind=_kind_view(services, measure),
                   document={"title": info.title, "issued": f"{info.issuer},{zh_date(info.issue_date)}",
                             "total": len(document.measures),
                             "query": f"?doc={quote(info.doc_id)}" if catalog.several else ""})
