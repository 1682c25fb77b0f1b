"""Maintainers' pages under /admin: log in and out, the knowledge base (versions and
rollback, upload and check, publish with progress, pending bank questions) and the report
of what the chat answered badly, each question one step from becoming a bank entry.

Every page works without script except upload and publish (api/web/static/admin.js
sends files as JSON to the API, api/routers/admin_api.py). Forms post url-encoded fields
with the session's CSRF token and redirect after success (303), so a reload never posts
twice. Knowledge-base work goes through api.publishing (api/admin_access.py).
Routes stay out of the OpenAPI schema: /docs is public, the admin is not.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api import admin_views as views
from api.admin_access import (
    PREFIX,
    AdminRefused,
    Caller,
    admin_state,
    done_message,
    enabled,
    form_fields,
    pending_entries,
    publishing,
    render,
    report_for,
    report_since,
    rollback_to,
    token_check,
)
from api.admin_auth import COOKIE_PATH, SESSION_COOKIE, AdminSession
from api.admin_uploads import MAX_FILES
from api.bank_additions import add_question, pending
from api.deps import ServicesDep
from api.services import Services
from knowledge.errors import DocumentInvalid, KnowledgeError

router = APIRouter(prefix=PREFIX, include_in_schema=False)


# ---- log in and out ----------------------------------------------------------------------

@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request) -> Response:
    state = await enabled(request)
    if state.auth.session(request.cookies.get(SESSION_COOKIE)) is not None:
        return RedirectResponse(PREFIX, status_code=303)
    return render(request, "admin_login.html", title="知识库管理 · 登录", error="")


@router.post("/login")
async def login(request: Request) -> Response:
    state = await enabled(request)
    given = (await form_fields(request)).get("token", "")
    await token_check(state.auth, request, state.auth.token_matches(given))
    value, _ = state.auth.issue()
    response = RedirectResponse(PREFIX, status_code=303)
    response.set_cookie(SESSION_COOKIE, value, max_age=state.auth.max_age, path=COOKIE_PATH, httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")
    return response


@router.post("/logout")
def logout(request: Request, session: Caller) -> Response:
    response = RedirectResponse(PREFIX + "/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict",
                           secure=request.url.scheme == "https")
    return response


# ---- the pages -------------------------------------------------------------------------------

@router.get("", response_class=HTMLResponse)
def dashboard(request: Request, session: Caller, done: str | None = None, version: str | None = None
              ) -> HTMLResponse:
    return _dashboard(request, session, message=done_message(done, version))


def _dashboard(request: Request, session: AdminSession | None, message: str = "", error: str = "",
               status: int = 200) -> HTMLResponse:
    settings = admin_state(request).settings
    module = publishing()
    versions = [views.version_view(v) for v in module.versions()] if module is not None else []
    entries, pending_error = pending_entries(settings)
    return render(request, "admin.html", status, title="知识库管理", current=PREFIX,
                  csrf=session.csrf if session else "", versions=versions,
                  publishing=module is not None, unavailable=views.PUBLISHING_UNAVAILABLE,
                  running=admin_state(request).jobs.running, pending=entries, pending_error=pending_error,
                  message=message, error=error, max_files=MAX_FILES)


@router.post("/rollback", response_class=HTMLResponse)
async def rollback_form(request: Request, session: Caller) -> Response:
    version = (await form_fields(request)).get("version") or None
    try:
        info = await run_in_threadpool(rollback_to, request, version)
    except AdminRefused as exc:
        return await run_in_threadpool(_dashboard, request, session, "", exc.detail, exc.status)
    return RedirectResponse(f"{PREFIX}?done=rolledback&version={quote(info.id)}", status_code=303)


@router.get("/report", response_class=HTMLResponse)
def report_page(request: Request, session: Caller, services: ServicesDep, since: str | None = None,
                done: str | None = None) -> HTMLResponse:
    return _report_page(request, session, services, since, message=done_message(done, None))


def _report_page(request: Request, session: AdminSession | None, services: Services, since: str | None,
                 message: str = "", form: dict[str, str] | None = None, error: str = "",
                 status: int = 200) -> HTMLResponse:
    """form and error: a question that could not be added, shown again at its group."""
    start, since_text = report_since(since)
    report = report_for(request, services, start)
    entries, pending_error = pending_entries(admin_state(request).settings)
    documents = [{"doc_id": d.info.doc_id, "title": d.info.title} for d in services.catalog.documents]
    several = len(documents) > 1
    groups = [views.group_view(g, i, several) for i, g in enumerate(report.groups, start=1)]
    form = form or {}
    # The error goes beside the group's form when that group is still listed.
    inline = bool(error) and form.get("group") in {str(g["index"]) for g in groups}
    return render(request, "admin_report.html", status, title="用户问题报告 · 知识库管理",
                  current=PREFIX + "/report", csrf=session.csrf if session else "", since=since_text,
                  groups=groups, questions=report.questions, low_confidence=report.low_confidence,
                  documents=documents, pending=entries, pending_error=pending_error, message=message,
                  error="" if inline else error, form_error=error if inline else "", form=form)


@router.post("/questions", response_class=HTMLResponse)
async def add_question_form(request: Request, session: Caller, services: ServicesDep) -> Response:
    form = await form_fields(request)
    since = form.get("since", "")
    try:
        measure = int(form.get("measure", ""))
        await run_in_threadpool(add_question, services.settings, pending(admin_state(request).settings),
                                services.catalog, form.get("question", ""), measure,
                                form.get("doc_id") or None)
    except ValueError:
        return await run_in_threadpool(_report_page, request, session, services, since, "", form,
                                       "请填写措施编号(数字)。", 422)
    except DocumentInvalid as exc:
        raise AdminRefused(500, "pending_invalid", "待发布题库文件有误:" + str(exc)) from exc
    except KnowledgeError as exc:
        status, message = views.question_error(exc)
        return await run_in_threadpool(_report_page, request, session, services, since, "", form,
                                       message, status)
    return RedirectResponse(f"{PREFIX}/report?since={quote(since)}&done=added#pending", status_code=303)


@router.post("/questions/remove")
async def remove_question_form(request: Request, session: Caller) -> Response:
    form = await form_fields(request)
    try:
        measure = int(form.get("measure", ""))
    except ValueError:
        measure = 0
    pending(admin_state(request).settings).remove(form.get("doc_id", ""), measure, form.get("question", ""))
    target = PREFIX + "/report" if form.get("back") == "report" else PREFIX
    return RedirectResponse(f"{target}?done=removed#pending", status_code=303)
