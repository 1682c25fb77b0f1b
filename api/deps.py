"""Dependency aliases for routers: the loaded services, or 503 while still loading."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from api.services import Services


def get_services(request: Request) -> Services:
    services: Services | None = getattr(request.app.state, "services", None)
    if services is None:
        raise HTTPException(status_code=503, detail="index and model are still loading")
    return services


ServicesDep = Annotated[Services, Depends(get_services)]
