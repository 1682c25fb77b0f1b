"""GET /health: whether the answer service can answer, and whether what it relies on is up.

200 once the index is loaded: "ok" when the conversation store and Rasa answer too,
"degraded" (still 200: pages, search and the webhook work) when one of them does not.
503 while the index is loading or after it failed to load. Rasa's state is cached for a
few seconds, so polling /health cannot be turned into load on Rasa.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.conversations import StoreUnavailable
from api.routers.chat import get_store, rasa_client

router = APIRouter(tags=["health"])
RASA_CHECK_SECONDS = 5.0


async def _rasa_state(request: Request) -> str:
    cached: tuple[float, str] | None = getattr(request.app.state, "rasa_state", None)
    if cached is not None and time.monotonic() - cached[0] < RASA_CHECK_SECONDS:
        return cached[1]
    url = request.app.state.settings.rasa_url.rstrip("/") + "/"
    try:
        response = await rasa_client(request).get(url, timeout=httpx.Timeout(2.0))
        state = "ok" if response.status_code == 200 else f"error {response.status_code}"
    except httpx.HTTPError as exc:
        state = f"unreachable ({type(exc).__name__})"
    request.app.state.rasa_state = (time.monotonic(), state)
    return state


async def _store_state(request: Request) -> str:
    try:
        await run_in_threadpool(lambda: get_store(request).ping())
    except StoreUnavailable:
        return "unavailable"
    return "ok"


@router.get("/health", responses={503: {"description": "The index is loading or failed to load"}})
async def health(request: Request) -> Any:
    services = getattr(request.app.state, "services", None)
    if services is None:
        error = getattr(request.app.state, "load_error", None)
        return JSONResponse({"status": "loading" if error is None else "error", "error": error},
                            status_code=503)
    checks = {"store": await _store_state(request), "rasa": await _rasa_state(request)}
    return {"status": "ok" if all(v == "ok" for v in checks.values()) else "degraded",
            "checks": checks,
            "kb_version": services.kb_version,
            "index_version": services.index.version,
            "model": services.index.embedder.model_id,
            "measures": len(services.catalog.measures)}
