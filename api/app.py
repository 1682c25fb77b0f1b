"""The FastAPI app: action webhook, REST API and health; services load in lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.routers import chat, health, pages, rest, webhook
from api.services import Services, load_services

log = logging.getLogger(__name__)


def create_app(services: Services | None = None) -> FastAPI:
    """services: pre-loaded (tests share one); otherwise loaded at start-up."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if services is not None:
            app.state.services = services
        else:
            try:
                app.state.services = load_services()
            except Exception as exc:
                app.state.load_error = str(exc)
                log.error("could not load the index: %s", exc)
                raise
        log.info("serving index %s", app.state.services.index.version)
        yield
        client = getattr(app.state, "rasa_client", None)
        if client is not None:
            app.state.rasa_client = None
            await client.aclose()

    app = FastAPI(title="policybot", description="Cited answers about district policy measures",
                  lifespan=lifespan)
    app.include_router(health.router)
    app.include_router(webhook.router)
    app.include_router(rest.router)
    app.include_router(chat.router)
    app.include_router(pages.router)
    return app
