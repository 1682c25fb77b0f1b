"""Web pages: the widget's demo host page, the operators' console and one page per measure.

The widget and console are static files that call the JSON API from the browser. The
measure page is rendered here, because it is a link target (from chat answers and the
console) that must work as a plain page: shareable, printable, readable without script.
Everything is served from this app; nothing comes from a CDN (the site may be intranet).
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.deps import ServicesDep
from knowledge.errors import MeasureNotFound, UnknownDocument
from knowledge.views import measure_view

WEB_DIR = Path(__file__).resolve().parent.parent / "web"

router = APIRouter(tags=["pages"], include_in_schema=False)
router.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")


@router.get("/")
def widget_demo() -> FileResponse:
    return FileResponse(WEB_DIR / "index.html", media_type="text/html")


@router.get("/operator", response_class=HTMLResponse)
def operator_console(services: ServicesDep) -> HTMLResponse:
    """Static console page, given the documents' titles for the replies it composes."""
    titles = {d.info.doc_id: d.info.title for d in services.catalog.documents}
    template = Template((WEB_DIR / "operator.html").read_text(encoding="utf-8"))
    return HTMLResponse(template.substitute(documents=escape(json.dumps(titles, ensure_ascii=False))))


def validity_badge(validity: dict[str, Any]) -> tuple[str, str]:
    """(badge text, css class); the console's JavaScript words it the same way."""
    if not validity["in_force"]:
        year, month, day = (int(p) for p in validity["end_date"].split("-"))
        return f"已于{year}年{month}月{day}日到期", "expired"
    return "有效", "in-force"


def _page(title: str, body: str) -> str:
    template = Template((WEB_DIR / "page.html").read_text(encoding="utf-8"))
    return template.substitute(title=escape(title), body=body)


def _not_found(raw: str, total: int) -> HTMLResponse:
    body = (f'<h1>未找到该措施</h1><p>没有编号为“{escape(raw[:20])}”的措施。'
            f"现有措施编号为第1条至第{total}条。</p>"
            '<p><a href="/operator">到政策检索中查找</a> · <a href="/">返回政策咨询</a></p>')
    return HTMLResponse(_page("未找到该措施", body), status_code=404)


@router.get("/measures/{number}", response_class=HTMLResponse)
def measure_page(services: ServicesDep, number: str, doc: str | None = None) -> HTMLResponse:
    """Any unknown number (or not a number at all) gets the Chinese 404 page, not JSON."""
    try:
        measure = services.catalog.measure(int(number), doc) if number.isdigit() else None
    except (MeasureNotFound, UnknownDocument):
        measure = None
    if measure is None:
        return _not_found(number, len(services.catalog.document().measures))
    view = measure_view(measure)
    info = services.catalog.document(measure.doc_id).info
    total = len(services.catalog.document(measure.doc_id).measures)
    badge, badge_class = validity_badge(view["validity"])
    departments = "、".join(
        f'<a href="/operator?department={quote(d)}">{escape(d)}</a>' for d in measure.departments
    ) + escape(measure.departments_note)
    chapter = f"{measure.chapter.numeral}、{measure.chapter.title}"
    section = f"({measure.section.numeral}){measure.section.title}"
    issued = f"{info.issuer},{info.issue_date.year}年{info.issue_date.month}月{info.issue_date.day}日"
    n = measure.number
    neighbours = ([f'<a href="/measures/{n - 1}" rel="prev">上一条:第{n - 1}条</a>'] if n > 1 else []) + (
        [f'<a href="/measures/{n + 1}" rel="next">下一条:第{n + 1}条</a>'] if n < total else [])
    body = f"""
<nav class="crumbs" aria-label="位置"><a href="/operator">政策检索</a> › {escape(measure.citation)}</nav>
<article class="measure" data-measure="{n}">
  <h1>{escape(measure.citation)}</h1>
  <p class="doc">{escape(info.title)}({escape(issued)})</p>
  <dl class="facts">
    <dt>所属章节</dt><dd class="chapter">{escape(chapter)} / {escape(section)}</dd>
    <dt>责任单位</dt><dd class="departments">{departments}</dd>
    <dt>有效期</dt>
    <dd><span class="badge {badge_class}">{badge}</span> {escape(view["validity"]["summary"])}</dd>
  </dl>
  <h2>原文</h2>
  <p class="measure-text">{escape(measure.text)}</p>
</article>
<nav class="neighbours" aria-label="相邻措施">{" ".join(neighbours)}</nav>
"""
    return HTMLResponse(_page(f"{measure.citation} · 政策措施", body))
