"""GET /health: 200 with index version and model once loaded, 503 before."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/health")
def health(request: Request) -> Any:
    services = getattr(request.app.state, "services", None)
    if services is None:
        error = getattr(request.app.state, "load_error", None)
        return JSONResponse({"status": "loading" if error is None else "error", "error": error},
                            status_code=503)
    return {"status": "ok", "index_version": services.index.version,
            "model": services.index.embedder.model_id,
            "measures": len(services.catalog.measures)}
