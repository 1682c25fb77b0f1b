"""What every /admin route shares: who is asking, refusals, the admin's state per app,
the publishing module, and the helpers the pages and the JSON API both use.

Authentication itself (tokens, sessions, CSRF, origins) is api/admin_auth.py; the pages
are api/routers/admin.py and the JSON API api/routers/admin_api.py.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from types import ModuleType
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import admin_views as views
from api.admin_auth import (
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    AdminAuth,
    AdminSession,
    cross_origin,
    csrf_matches,
    unsafe,
)
from api.admin_jobs import PublishJobs
from api.admin_uploads import Uploads
from api.bank_additions import known_questions, pending
from api.conversations import StoreUnavailable
from api.errors import error_response
from api.report import REPORT_DAYS, Report, build_report
from api.routers.chat import get_store
from api.routers.pages import templates
from api.services import Services
from api.shared_state import SharedStateUnavailable
from knowledge.errors import DocumentInvalid
from knowledge.questions import QuestionBank
from knowledge.settings import Settings

log = logging.getLogger(__name__)

PREFIX = "/admin"
API_PREFIX = "/admin/api/"
PUBLISHING = "api.publishing"
# Every admin response: never cached, never framed, scripts and styles from here only.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": ("default-src 'self'; img-src 'self' data:; object-src 'none'; "
                                "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
}


class AdminRefused(Exception):
    """Not allowed: rendered as a page or as JSON by where it was asked (install)."""

    def __init__(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> None:
        self.status, self.code, self.detail, self.headers = status, code, detail, headers or {}
        super().__init__(code)


class AdminState:
    """What the admin keeps per app: who may log in, uploads, publish jobs."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.auth = AdminAuth(settings)
        self.uploads = Uploads(settings.var_dir / "admin" / "uploads")
        self.jobs = PublishJobs(settings.var_dir / "admin" / "jobs")


def install(app: FastAPI, settings: Settings) -> None:
    """The admin's state, its refusal pages and its response headers (api/app.py)."""
    app.state.admin = AdminState(settings)

    async def on_refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, AdminRefused)
        if request.url.path.startswith(API_PREFIX):
            return error_response(exc.status, exc.code, exc.detail, exc.headers)
        if exc.status == 404:
            return render(request, "admin_disabled.html", 404, title="管理功能未启用",
                          how=views.HOW_TO_ENABLE)
        if exc.status in (401, 429):
            response = render(request, "admin_login.html", exc.status, title="知识库管理 · 登录",
                              error=exc.detail if exc.code != "login_required" else "")
            response.headers.update(exc.headers)
            return response
        return render(request, "admin_error.html", exc.status, title="请求被拒绝", message=exc.detail)

    app.add_exception_handler(AdminRefused, on_refused)
    app.add_middleware(AdminHeaders)


class AdminHeaders:
    """SECURITY_HEADERS on every /admin response, errors and redirects included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not (scope["path"] == PREFIX or scope["path"].startswith(PREFIX + "/")):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()
                    if k.lower().encode() not in names]
            await send(message)

        await self.app(scope, receive, with_headers)


# ---- who is asking -------------------------------------------------------------------------

def admin_state(request: Request) -> AdminState:
    state: AdminState = request.app.state.admin
    return state


def client_of(request: Request) -> str:
    return str(request.app.state.fair_use.client(request))


async def form_fields(request: Request) -> dict[str, str]:
    """A url-encoded form's fields (first value each); nothing else is parsed as a form."""
    cached: dict[str, str] | None = getattr(request.state, "admin_form", None)
    if cached is not None:
        return cached
    form: dict[str, str] = {}
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        body = (await request.body()).decode("utf-8", errors="replace")
        form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True, max_num_fields=20).items()}
    request.state.admin_form = form
    return form


async def enabled(request: Request) -> AdminState:
    state = admin_state(request)
    if not state.auth.enabled:
        raise AdminRefused(404, "admin_disabled", views.DISABLED + views.HOW_TO_ENABLE)
    if unsafe(request) and cross_origin(request):
        raise AdminRefused(403, "cross_origin", views.CROSS_ORIGIN)
    return state


async def caller(request: Request) -> AdminSession | None:
    """The session of a logged-in browser, or None for a script with the Bearer token;
    AdminRefused otherwise. A browser's state-changing request must carry its CSRF token."""
    state = await enabled(request)
    auth = state.auth
    if auth.has_bearer(request):
        await token_check(auth, request, auth.bearer(request))
        return None
    session = auth.session(request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise AdminRefused(401, "login_required", views.LOGIN_REQUIRED, {"WWW-Authenticate": "Bearer"})
    if unsafe(request):
        given = request.headers.get(CSRF_HEADER) or (await form_fields(request)).get(CSRF_FIELD)
        if not csrf_matches(session, given):
            raise AdminRefused(403, "csrf", views.BAD_CSRF)
    return session


async def token_check(auth: AdminAuth, request: Request, matches: bool) -> None:
    """Refuse a client locked out by its failed attempts (429), then a wrong token (401,
    counted and slowed down)."""
    client = client_of(request)
    try:
        wait = await auth.locked_out(client)
        if wait is None and not matches:
            await auth.failed(client)
    except SharedStateUnavailable as exc:  # no token is tried without its count
        log.error("admin: login limits unavailable: %s", exc)
        raise AdminRefused(503, "unavailable", views.LIMITS_UNAVAILABLE) from exc
    if wait is not None:
        raise AdminRefused(429, "locked_out", views.LOCKED_OUT.format(seconds=wait),
                           {"Retry-After": str(wait)})
    if not matches:
        raise AdminRefused(401, "bad_token", views.BAD_TOKEN, {"WWW-Authenticate": "Bearer"})


Caller = Annotated[AdminSession | None, Depends(caller)]


ADMIN_NAV = [(PREFIX, "知识库管理"), (PREFIX + "/report", "用户问题报告"), ("/operator", "政策检索")]


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """An admin page; the signed-in ones (with a csrf token) get the admin navigation."""
    context.setdefault("current", "")
    if "csrf" in context:
        context.setdefault("nav_links", ADMIN_NAV)
    return templates.TemplateResponse(request, name, context, status_code=status)


def publishing() -> ModuleType | None:
    """api.publishing, imported on first use: it brings the index builder and Rasa
    training, which a running service needs only when a maintainer publishes. None in a
    build without it (then files can be checked but not published)."""
    try:
        return importlib.import_module(PUBLISHING)
    except ModuleNotFoundError as exc:
        if exc.name != PUBLISHING:
            raise
        return None


def require_publishing() -> ModuleType:
    module = publishing()
    if module is None:
        raise AdminRefused(501, "publishing_unavailable", views.PUBLISHING_UNAVAILABLE)
    return module


def live_version_id(module: ModuleType) -> str | None:
    return next((v.id for v in module.versions() if v.live), None)


# ---- shared by the pages and the JSON API -------------------------------------------------

def pending_entries(settings: Settings) -> tuple[list[dict[str, Any]], str]:
    """Pending entries for a page, or an error message when the file is broken."""
    try:
        return [views.pending_view(e) for e in pending(settings).entries()], ""
    except DocumentInvalid as exc:
        return [], "待发布题库文件有误:" + "; ".join(str(p) for p in exc.problems)


def done_message(done: str | None, version: str | None) -> str:
    template = views.DONE_MESSAGES.get(done or "")
    return template.format(version=(version or "")[:80]) if template else ""


def rollback_to(request: Request, version: str | None) -> Any:
    module = require_publishing()
    if admin_state(request).jobs.running:
        raise AdminRefused(409, "publish_running", views.PUBLISH_BUSY)
    if version is not None and version not in {v.id for v in module.versions()}:
        raise AdminRefused(404, "unknown_version", views.UNKNOWN_VERSION)
    try:
        return module.rollback(version)
    except module.PublishFailed as exc:
        raise AdminRefused(500, "rollback_failed", f"回滚失败,原版本仍在使用:{exc}") from exc


def report_for(request: Request, services: Services, since: dt.datetime) -> Report:
    settings = admin_state(request).settings
    try:
        entries = pending(settings).entries()
    except DocumentInvalid:
        entries = []  # the page says the file is broken (pending_entries)
    known = known_questions(entries, QuestionBank.load(services.catalog, services.settings.questions_dir))
    try:
        exchanges = get_store(request).exchanges(since)
    except StoreUnavailable as exc:
        raise AdminRefused(503, "store_unavailable", views.STORE_UNAVAILABLE) from exc
    return build_report(exchanges, lambda texts: services.index.embedder.encode(texts, query=True),
                        low_confidence=settings.report_low_confidence,
                        similarity=settings.report_group_similarity, since=since, known=known)


def report_since(value: str | None) -> tuple[dt.datetime, str]:
    """The report's first day (local midnight) and its text; 30 days back when absent or
    not a date."""
    try:
        day = dt.date.fromisoformat(value) if value else None
    except ValueError:
        day = None
    day = day or (dt.date.today() - dt.timedelta(days=REPORT_DAYS))
    return dt.datetime.combine(day, dt.time.min).astimezone(), day.isoformat()
