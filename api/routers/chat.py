"""Chat proxy for the website widget: forwards a message to Rasa and keeps the conversation.

The widget talks only to this service, never to Rasa (which listens on loopback only), so
every public input passes the checks here first: the size of the message, a conversation
token this server signed (api/conversation_ids.py), fair-use limits (api/fair_use.py) and
one turn in flight per conversation. Rasa's failures become one Chinese "try again"
message (503) instead of a hung request or an empty answer, and every turn is stored for
the widget to restore after a reload. A retried turn (same `turn_id`) gets the stored
answer instead of being processed twice. With several Rasa processes, turns are spread
over them (api/rasa_pool.py); with several answer-service processes, what they must
agree on lives in Redis (api/shared_state.py), whose faults are 503s like the store's.

The widget is embedded on another origin, so these routes (and only these) answer
cross-origin requests, error responses included (api/cors.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Literal

import httpx
from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import AfterValidator, BaseModel, Field, StringConstraints
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.conversation_ids import LEGACY_ID, ConversationIds, log_id
from api.conversations import BotMessage, ConversationStore, StoreUnavailable, Turn
from api.cors import cors_headers
from api.errors import (
    UNAVAILABLE,
    ApiError,
    api_response,
    http_response,
    validation_response,
)
from api.fair_use import FairUse, TooManyRequests, turn_cost
from api.rasa_pool import NOT_SENT, RasaPool
from api.shared_state import SharedStateUnavailable
from api.turn_state import UnsavedReplies
from knowledge.settings import Settings

log = logging.getLogger(__name__)

RASA_TIMEOUT = httpx.Timeout(30.0, connect=3.0)
MESSAGE_MAX_CHARS = 2000
BAD_CONVERSATION = "会话已失效,请刷新页面开始新的对话。"
RATE_LIMITED = "您的提问太频繁了,请在{seconds}秒后再试。"
TURN_IN_FLIGHT = "上一条消息还在处理中,请稍候再发送。"
BUSY = "当前咨询人数较多,较长的消息请在{seconds}秒后再发送;简短的问题可以直接提问。"
# Rasa reads a message starting with "/" as an intent and its entities ("/restart"),
# skipping NLU. Users type text: the slash goes to Rasa as its full-width twin, which
# reads the same to a person and is plain text to Rasa. (The bot's buttons send text
# payloads, never "/intent".)
_INTENT_PREFIX = "/"
_TEXT_SLASH = "\uff0f"  # FULLWIDTH SOLIDUS


def _unicode_text(value: str) -> str:
    """Text that can travel as UTF-8: a lone surrogate ("\\ud800") cannot."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("text must be valid Unicode") from exc
    return value


Message = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"\S",
                                           max_length=MESSAGE_MAX_CHARS),
                    AfterValidator(_unicode_text)]
Token = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,200}$")]
TurnId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,64}$")]


class ChatRequest(BaseModel):
    message: Message
    sender: Token | None = Field(default=None, description="The conversation token this server issued; "
                                                    "omit it to start a conversation.")
    turn_id: TurnId | None = Field(default=None, description="The widget's id for this message; a retry "
                                                     "with the same id is not processed twice.")


class Button(BaseModel):
    title: str
    payload: str


class ChatMessage(BaseModel):
    id: int
    text: str | None
    buttons: list[Button]
    custom: dict[str, Any] | None


class ChatResponse(BaseModel):
    sender: str = Field(description="The conversation token to send with the next request.")
    messages: list[ChatMessage]


class HistoryRequest(BaseModel):
    sender: Token


class HistoryTurn(ChatMessage):
    role: Literal["user", "bot"]
    rating: Literal["up", "down"] | None


class HistoryResponse(BaseModel):
    sender: str
    turns: list[HistoryTurn]


class Feedback(BaseModel):
    sender: Token
    message_id: Annotated[int, Field(ge=1, le=2**53)]
    rating: Literal["up", "down"]


class ErrorBody(BaseModel):
    detail: Any
    code: str


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The body is not JSON (or not UTF-8)"},
    403: {"model": ErrorBody, "description": "Not a conversation token this server issued"},
    413: {"model": ErrorBody, "description": "Body over the limit"},
    422: {"model": ErrorBody, "description": "Invalid body (the input is not echoed)"},
    429: {"model": ErrorBody, "description": "Rate limited or a turn still in flight (Retry-After)"},
    503: {"model": ErrorBody, "description": "Rasa or the conversation store unavailable"},
}


class _ChatRoute(APIRoute):
    """Every response of these routes carries the CORS headers, error responses included,
    so the widget on another site can read a 413, 429 or 503 and show its message."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def with_cors(request: Request) -> Response:
            try:
                response = await handler(request)
            except RequestValidationError as exc:
                response = validation_response(exc)
            except StarletteHTTPException as exc:
                response = http_response(exc)
            except ApiError as exc:
                response = api_response(exc)
            except TooManyRequests as exc:
                if exc.reason != "turn_in_flight":  # see api/throttle.py: slow down retries
                    await asyncio.sleep(min(_settings(request).throttle_delay, exc.retry_after))
                response = api_response(too_many(exc))
            except StoreUnavailable as exc:
                log.error("chat: conversation store unavailable: %s", exc)
                response = api_response(ApiError(503, "unavailable", UNAVAILABLE))
            except SharedStateUnavailable as exc:
                log.error("chat: shared state (Redis) unavailable: %s", exc)
                response = api_response(ApiError(503, "unavailable", UNAVAILABLE))
            response.headers.update(cors_headers(_settings(request).chat_origins,
                                                 request.headers.get("origin")))
            return response

        return with_cors


def too_many(exc: TooManyRequests) -> ApiError:
    detail = {"turn_in_flight": TURN_IN_FLIGHT, "busy": BUSY}.get(exc.reason, RATE_LIMITED)
    return ApiError(429, exc.reason, detail.format(seconds=exc.retry_after),
                    {"Retry-After": str(exc.retry_after)})


router = APIRouter(tags=["chat"], route_class=_ChatRoute)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> ConversationStore:
    """One store per app, made on first use, so a store that cannot be opened answers
    503 per request (and recovers when it can) instead of keeping the app from starting."""
    store: ConversationStore | None = getattr(request.app.state, "conversations", None)
    if store is None:
        settings = _settings(request)
        store = ConversationStore.from_settings(settings)
        request.app.state.conversations = store
    return store


def rasa_client(request: Request) -> httpx.AsyncClient:
    """One HTTP client per app, so chat turns reuse Rasa connections; the app's lifespan
    closes it."""
    client: httpx.AsyncClient | None = getattr(request.app.state, "rasa_client", None)
    if client is None:
        client = httpx.AsyncClient()
        request.app.state.rasa_client = client
    return client


def rasa_pool(request: Request) -> RasaPool:
    pool: RasaPool = request.app.state.rasa_pool
    return pool


def _fair_use(request: Request) -> FairUse:
    fair_use: FairUse = request.app.state.fair_use
    return fair_use


def _ids(request: Request) -> ConversationIds:
    ids: ConversationIds = request.app.state.conversation_ids
    return ids


StoreDep = Annotated[ConversationStore, Depends(get_store)]
RasaClientDep = Annotated[httpx.AsyncClient, Depends(rasa_client)]
FairUseDep = Annotated[FairUse, Depends(_fair_use)]
IdsDep = Annotated[ConversationIds, Depends(_ids)]


def bot_messages(payload: Any) -> list[BotMessage]:
    """Rasa REST channel output as the widget's messages.

    Rasa sends a response's `custom` payload as a message of its own right after the
    text; it is folded back into that text message so one answer has one id (and one
    rating) and its citations sit beside it. Other kinds (images, attachments) are not
    shown by the widget and are dropped.
    """
    if not isinstance(payload, list):
        raise ValueError(f"expected a list of messages, got {type(payload).__name__}")
    out: list[BotMessage] = []
    for item in payload:
        if not isinstance(item, dict):
            continue
        text = item.get("text") if isinstance(item.get("text"), str) else None
        buttons = [{"title": str(b.get("title", "")), "payload": str(b.get("payload", b.get("title", "")))}
                   for b in item.get("buttons") or [] if isinstance(b, dict)]
        custom = item.get("custom") if isinstance(item.get("custom"), dict) else None
        if text is None and not buttons:
            if custom is not None and out and out[-1].custom is None:
                out[-1].custom = custom
            elif custom is not None:
                out.append(BotMessage(None, [], custom))
            continue
        out.append(BotMessage(text, buttons, custom))
    return out


def as_user_text(message: str) -> str:
    """The message as Rasa must read it: as text, even when it starts with "/"."""
    return _TEXT_SLASH + message[1:] if message.startswith(_INTENT_PREFIX) else message


async def ask_rasa(client: httpx.AsyncClient, pool: RasaPool, sender: str,
                   message: str) -> list[BotMessage]:
    """One round trip to Rasa's REST channel: the first of the pool's processes that
    accepts the connection takes the turn (api/rasa_pool.py). Any failure once the
    request was sent is a 503 with a Chinese detail, never a second try; so is an empty
    answer, which is how Rasa reports a failing tracker store, and so is no Rasa
    accepting at all."""
    body = {"sender": sender, "message": as_user_text(message)}
    rasa_urls = pool.order()
    for base in rasa_urls:
        url = base + "/webhooks/rest/webhook"
        try:
            with pool.taking(base):
                response = await client.post(url, json=body, timeout=RASA_TIMEOUT)
            response.raise_for_status()
            replies = bot_messages(response.json())
        except NOT_SENT as exc:
            pool.refused(base)
            log.warning("chat: Rasa at %s refused the connection (%s); trying the next",
                        url, type(exc).__name__)
            continue
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("chat: Rasa at %s failed for %s: %s: %s", url, log_id(sender),
                        type(exc).__name__, exc)
            raise ApiError(503, "unavailable", UNAVAILABLE) from exc
        if not replies:
            log.warning("chat: Rasa at %s sent no answer for %s", url, log_id(sender))
            raise ApiError(503, "unavailable", UNAVAILABLE)
        return replies
    log.error("chat: no Rasa accepted the turn of %s (%s)", log_id(sender), ", ".join(rasa_urls))
    raise ApiError(503, "unavailable", UNAVAILABLE)


async def _conversation(token: str | None, ids: ConversationIds,
                        store: ConversationStore) -> tuple[str, str, bool]:
    """(raw id, token, is new) for the request's token; a new conversation for none.

    A bare id from an earlier widget is taken over once, by the first browser that
    presents it, if the store has that conversation; anything else unsigned is refused."""
    if token is None:
        raw, new_token = ids.new()
        return raw, new_token, True
    verified = ids.verify(token)
    if verified is not None:
        return verified, token, False
    if LEGACY_ID.fullmatch(token) is not None and await run_in_threadpool(_take_over, store, token):
        log.info("chat: legacy conversation %s moved to a signed token", log_id(token))
        return token, ids.token(token), False
    raise ApiError(403, "bad_conversation", BAD_CONVERSATION)


def _take_over(store: ConversationStore, legacy_id: str) -> bool:
    return store.has_conversation(legacy_id) and store.claim(legacy_id)


async def _owned(token: str, ids: ConversationIds, store: ConversationStore) -> str:
    """The raw id of an existing conversation the token proves to own."""
    raw, _, _ = await _conversation(token, ids, store)
    return raw


def _messages(turns: list[Turn]) -> list[dict[str, Any]]:
    return [{"id": t.id, "text": t.text, "buttons": t.buttons, "custom": t.custom} for t in turns]


@router.post("/api/chat", response_model=ChatResponse, responses=ERRORS)
async def chat(body: ChatRequest, request: Request, store: StoreDep, client: RasaClientDep,
               fair_use: FairUseDep, ids: IdsDep) -> Any:
    raw, token, new = await _conversation(body.sender, ids, store)
    cost = turn_cost(body.message)
    # The place in flight first: a turn refused for want of one costs no budget.
    async with fair_use.turn(raw, cost):
        await fair_use.charge(fair_use.client(request), None if new else raw, cost)
        stored = await _turn(request, store, client, raw, body)
    log.info("chat %s: %d replies", log_id(raw), len(stored))
    return {"sender": token, "messages": _messages(stored)}


async def _turn(request: Request, store: ConversationStore, client: httpx.AsyncClient, raw: str,
                body: ChatRequest) -> list[Turn]:
    """One turn, exactly once. The question is stored before Rasa is asked, so a store
    that is down fails the turn before Rasa sees it; a retry (same turn_id) of a turn
    that was answered gets the stored answer; an answer Rasa gave but the store could not
    take is kept (in memory, or in Redis for every process) until the retry stores it."""
    unsaved: UnsavedReplies = request.app.state.unsaved_replies
    key = (raw, body.turn_id) if body.turn_id is not None else None
    existing = await run_in_threadpool(store.answered, *key) if key else None
    if existing is not None and existing[1]:
        return existing[1]
    kept = await unsaved.get(key) if key is not None else None
    if key is not None and kept is not None:
        stored = await run_in_threadpool(store.add_replies, raw, kept)
        await unsaved.drop(key)
        return stored
    question = existing[0] if existing else await run_in_threadpool(
        store.add_question, raw, body.message, body.turn_id)
    try:
        replies = await ask_rasa(client, rasa_pool(request), raw, body.message)
    except ApiError:
        with contextlib.suppress(StoreUnavailable):
            await run_in_threadpool(store.remove_question, question)
        raise
    try:
        return await run_in_threadpool(store.add_replies, raw, replies)
    except StoreUnavailable:
        if key is not None:
            await unsaved.keep(key, replies)
        raise


@router.post("/api/chat/history", response_model=HistoryResponse, responses=ERRORS)
async def history(body: HistoryRequest, store: StoreDep, ids: IdsDep) -> Any:
    """The conversation so far (POST, so the token never appears in a URL or a log)."""
    raw = await _owned(body.sender, ids, store)
    turns = await run_in_threadpool(store.history, raw)
    return {"sender": ids.token(raw), "turns": [t.to_json() for t in turns]}


@router.post("/api/chat/feedback", status_code=204, responses={
    **ERRORS, 404: {"model": ErrorBody, "description": "No such bot message in this conversation"}})
async def feedback(body: Feedback, request: Request, store: StoreDep, fair_use: FairUseDep,
                   ids: IdsDep) -> Response:
    raw = await _owned(body.sender, ids, store)
    await fair_use.charge(fair_use.client(request), raw, 1)
    if not await run_in_threadpool(store.rate, raw, body.message_id, body.rating):
        raise ApiError(404, "not_found", f"消息 {body.message_id} 不是该会话中的机器人回复")
    return Response(status_code=204)


@router.options("/api/chat", include_in_schema=False)
@router.options("/api/chat/history", include_in_schema=False)
@router.options("/api/chat/feedback", include_in_schema=False)
def preflight() -> Response:
    """The browser's CORS preflight before a JSON POST from another site."""
    return Response(status_code=204)
