"""Error responses of the public routes: one JSON shape, Chinese for people, never the input.

Every error body is `{"detail": …, "code": …}`. Validation errors keep FastAPI's list of
(location, message, type) but drop the `input` and `ctx` it would echo: a 5 MB message
must not come back as a 5 MB error, and an unencodable input (a lone surrogate) must not
turn a 422 into a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

UNAVAILABLE = "对话服务暂时不可用,请稍后再试;您也可以拨打12345政务服务便民热线咨询。"
TOO_LARGE = "请求内容过长。每条消息请不要超过2000字。"
INVALID = "请求格式不正确。"
MAX_ERRORS = 10
log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error with its status, machine code and Chinese message, raised anywhere in a route."""

    def __init__(self, status: int, code: str, detail: Any,
                 headers: Mapping[str, str] | None = None) -> None:
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = dict(headers or {})
        super().__init__(f"{status} {code}")


class BodyTooLarge(StarletteHTTPException):
    """Raised while the body is being read, so FastAPI passes it on instead of a 400."""

    def __init__(self) -> None:
        super().__init__(413, TOO_LARGE)


def clean_text(value: Any, limit: int = 200) -> str:
    """A short, always-encodable string for an error message."""
    text = str(value)[:limit]
    return text.encode("utf-8", errors="replace").decode("utf-8")


def error_response(status: int, code: str, detail: Any,
                   headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail, "code": code}, status_code=status, headers=headers)


def validation_response(exc: RequestValidationError) -> JSONResponse:
    errors = [{"loc": [clean_text(part, 50) for part in error.get("loc", ())][:8],
               "msg": clean_text(error.get("msg", "")),
               "type": clean_text(error.get("type", ""), 50)}
              for error in exc.errors()[:MAX_ERRORS]]
    return error_response(422, "invalid", errors)


def http_response(exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 413:
        return error_response(413, "too_large", TOO_LARGE)
    detail = exc.detail if isinstance(exc.detail, str) else INVALID
    return error_response(exc.status_code, "error", clean_text(detail, 500), exc.headers)


def api_response(exc: ApiError) -> JSONResponse:
    return error_response(exc.status, exc.code, exc.detail, exc.headers)


def install(app: FastAPI) -> None:
    """The handlers for every route; the chat routes use the same functions directly so
    that their CORS headers are added to error responses too."""

    async def on_validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return validation_response(exc)

    async def on_http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return http_response(exc)

    async def on_api(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return api_response(exc)

    async def on_fault(request: Request, exc: Exception) -> JSONResponse:
        # A bug, not the client's fault: logged with its traceback (the server logs it
        # again), answered as the service being unavailable, never a bare 500.
        log.error("unexpected %s in %s %s", type(exc).__name__, request.method, request.url.path,
                  exc_info=exc)
        return error_response(503, "unavailable", UNAVAILABLE)

    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(ApiError, on_api)
    app.add_exception_handler(Exception, on_fault)
