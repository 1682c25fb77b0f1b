"""The FastAPI app: action webhook, REST API, chat proxy, pages and health.

The model and index load in lifespan; everything a request needs besides them (settings,
secrets, fair-use counters) is made here, once per app.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import Scope

from api import admin_access, errors
from api.body_limit import (
    ADMIN_BODY_LIMIT,
    CHAT_BODY_LIMIT,
    DEFAULT_BODY_LIMIT,
    WEBHOOK_BODY_LIMIT,
    BodyLimit,
)
from api.conversation_ids import ConversationIds
from api.cors import CHAT_PREFIX, cors_headers
from api.fair_use import FairUse
from api.keys import ACTION_TOKEN, SIGNING_KEY, secret
from api.live_version import follow_live_version
from api.rasa_pool import RasaPool
from api.routers import admin, admin_api, chat, health, match, pages, rest, webhook
from api.services import Services, load_live_services
from api.shared_state import redis_client
from api.throttle import Throttle
from api.turn_state import LocalTurns, LocalUnsaved, RedisTurns, RedisUnsaved
from knowledge.settings import Settings, get_settings

log = logging.getLogger(__name__)


def create_app(services: Services | None = None, settings: Settings | None = None) -> FastAPI:
    """services: pre-loaded (tests share one); otherwise loaded at start-up. settings:
    those of the services, else the environment's."""
    settings = settings or (services.settings if services is not None else get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        follower: asyncio.Task[None] | None = None
        if services is not None:
            app.state.services = services
        else:
            try:
                app.state.services = load_live_services(settings)
            except Exception as exc:
                app.state.load_error = str(exc)
                log.error("could not load the index: %s", exc)
                raise
            follower = asyncio.create_task(follow_live_version(app, settings))
        log.info("serving knowledge version %s, index %s", app.state.services.kb_version,
                 app.state.services.index.version)
        yield
        if follower is not None:
            follower.cancel()
        client = getattr(app.state, "rasa_client", None)
        if client is not None:
            app.state.rasa_client = None
            await client.aclose()
        store = getattr(app.state, "conversations", None)
        if store is not None:
            store.close()
        if app.state.redis is not None:
            await app.state.redis.aclose()

    app = FastAPI(title="policybot", description="Cited answers about district policy measures",
                  lifespan=lifespan)
    configure(app, settings)
    app.include_router(health.router)
    app.include_router(webhook.router)
    app.include_router(rest.router)
    app.include_router(chat.router)
    app.include_router(match.router)
    app.include_router(pages.router)
    app.include_router(admin.router)
    app.include_router(admin_api.router)
    return app


def configure(app: FastAPI, settings: Settings) -> None:
    """What every route relies on besides the services: settings, secrets, fair-use
    counters and turns in flight (in process, or in Redis with POLICYBOT_REDIS_URL), the
    Rasa processes, the error shape and the body limits (a bare app with only the chat
    router, as in its tests, gets the same)."""
    app.state.settings = settings
    app.state.action_token = secret(settings, ACTION_TOKEN)
    app.state.conversation_ids = ConversationIds(secret(settings, SIGNING_KEY))
    redis = redis_client(settings)
    app.state.redis = redis
    turns = LocalTurns(settings.heavy_turns_in_flight) if redis is None else RedisTurns(
        redis, settings.heavy_turns_in_flight)
    app.state.fair_use = FairUse(settings, turns)
    app.state.unsaved_replies = LocalUnsaved() if redis is None else RedisUnsaved(redis)
    app.state.rasa_pool = RasaPool(settings.rasa_urls)
    errors.install(app)
    admin_access.install(app, settings)

    def chat_cors(scope: Scope) -> dict[str, str]:
        if not scope["path"].startswith(CHAT_PREFIX):
            return {}
        origin = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"origin"), None)
        return cors_headers(settings.chat_origins, origin)

    app.add_middleware(BodyLimit, limits=[(CHAT_PREFIX, CHAT_BODY_LIMIT), ("/webhook", WEBHOOK_BODY_LIMIT),
                                          (admin_access.PREFIX + "/", ADMIN_BODY_LIMIT)],
                       default=DEFAULT_BODY_LIMIT, extra_headers=chat_cors)
    # Added last, so it runs first: an over-budget client is refused before the body.
    app.add_middleware(Throttle, fair_use=app.state.fair_use, delay=settings.throttle_delay,
                       extra_headers=chat_cors)
