"""GET /health: whether the answer service can answer, and whether what it relies on is up.

200 once the index is loaded: "ok" when the conversation store, every Rasa process (each
listed under "rasa") and Redis (when the processes share their state there) answer too,
"degraded" (still 200: pages, search and the webhook work) when one of them does not.
503 while the index is loading or after it failed to load. Rasa's state is cached for a
few seconds, so polling /health cannot be turned into load on Rasa.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.conversations import StoreUnavailable
from api.routers.chat import get_store, rasa_client, rasa_pool
from api.shared_state import SharedStateUnavailable, unavailable_on_failure

router = APIRouter(tags=["health"])
RASA_CHECK_SECONDS = 5.0


async def _rasa_states(request: Request) -> dict[str, str]:
    """Each Rasa process's state ("ok", "error 500", "unreachable (ConnectError)"),
    checked together and cached for RASA_CHECK_SECONDS."""
    cached: tuple[float, dict[str, str]] | None = getattr(request.app.state, "rasa_state", None)
    if cached is not None and time.monotonic() - cached[0] < RASA_CHECK_SECONDS:
        return cached[1]
    urls = rasa_pool(request).urls
    client = rasa_client(request)
    states = dict(zip(urls, await asyncio.gather(*(_one_rasa(client, url) for url in urls)), strict=True))
    request.app.state.rasa_state = (time.monotonic(), states)
    return states


async def _one_rasa(client: httpx.AsyncClient, url: str) -> str:
    try:
        response = await client.get(url + "/", timeout=httpx.Timeout(2.0))
    except httpx.HTTPError as exc:
        return f"unreachable ({type(exc).__name__})"
    return "ok" if response.status_code == 200 else f"error {response.status_code}"


def _summary(states: dict[str, str]) -> str:
    """One Rasa: its state; several: "ok" when all are, else how many are down."""
    if len(states) == 1:
        return next(iter(states.values()))
    down = [s for s in states.values() if s != "ok"]
    return "ok" if not down else f"{len(down)} of {len(states)} down"


async def _shared_state(request: Request) -> str | None:
    """Redis's state when the processes share their state there (None: in process)."""
    redis = request.app.state.redis
    if redis is None:
        return None
    try:
        async with unavailable_on_failure("health"):
            await redis.ping()
    except SharedStateUnavailable:
        return "unavailable"
    return "ok"


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
    rasa = await _rasa_states(request)
    checks = {"store": await _store_state(request), "rasa": _summary(rasa)}
    shared = await _shared_state(request)
    if shared is not None:
        checks["redis"] = shared
    return {"status": "ok" if all(v == "ok" for v in checks.values()) else "degraded",
            "checks": checks,
            "rasa": rasa,
            "kb_version": services.kb_version,
            "index_version": services.index.version,
            "model": services.index.embedder.model_id,
            "measures": len(services.catalog.measures)}
