"""Chat proxy for the website widget: forwards a message to Rasa and keeps the conversation.

The widget talks only to this service (port 8000), never to Rasa directly, so Rasa can
stay on an internal port, its failures become one Chinese "try again" message instead
of a hung request, and every turn is stored for the widget to restore after a reload.

The widget is embedded on the district website, i.e. another origin, so these routes
(and only these: not the admin or search API) answer cross-origin requests. Nothing
here uses cookies; the sender id travels in the body, so `*` grants no extra power.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Literal

import httpx
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, StringConstraints
from starlette.concurrency import run_in_threadpool

from api.conversations import BotMessage, ConversationStore
from knowledge.settings import get_settings

log = logging.getLogger(__name__)

UNAVAILABLE = "对话服务暂时不可用,请稍后再试;您也可以拨打12345政务服务便民热线咨询。"
RASA_TIMEOUT = httpx.Timeout(30.0, connect=3.0)
SENDER_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "600",
}


class _CrossOriginRoute(APIRoute):
    """Adds CORS headers to every response of these routes, error responses included,
    so the widget on another site can read a 422 or 503 detail and show it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def with_cors(request: Request) -> Response:
            try:
                response = await handler(request)
            except RequestValidationError as exc:
                response = await request_validation_exception_handler(request, exc)
            except HTTPException as exc:
                response = await http_exception_handler(request, exc)
            response.headers.update(CORS_HEADERS)
            return response

        return with_cors


router = APIRouter(tags=["chat"], route_class=_CrossOriginRoute)

Sender = Annotated[str, StringConstraints(pattern=SENDER_PATTERN)]


class ChatRequest(BaseModel):
    sender: Sender
    message: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class Button(BaseModel):
    title: str
    payload: str


class ChatMessage(BaseModel):
    id: int
    text: str | None
    buttons: list[Button]
    custom: dict[str, Any] | None


class ChatResponse(BaseModel):
    sender: str
    messages: list[ChatMessage]


class HistoryTurn(ChatMessage):
    role: Literal["user", "bot"]
    rating: Literal["up", "down"] | None


class HistoryResponse(BaseModel):
    sender: str
    turns: list[HistoryTurn]


class Feedback(BaseModel):
    sender: Sender
    message_id: int
    rating: Literal["up", "down"]


def get_store(request: Request) -> ConversationStore:
    """One store per app, made on first use (the app's lifespan only loads the index)."""
    store: ConversationStore | None = getattr(request.app.state, "conversations", None)
    if store is None:
        settings = get_settings()
        store = ConversationStore(settings.conversations_db
                                  or settings.var_dir / "chat" / "conversations.sqlite")
        request.app.state.conversations = store
    return store


StoreDep = Annotated[ConversationStore, Depends(get_store)]


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


def rasa_client(request: Request) -> httpx.AsyncClient:
    """One HTTP client per app, made on first use, so chat turns reuse Rasa connections
    instead of opening one each; the app's lifespan closes it."""
    client: httpx.AsyncClient | None = getattr(request.app.state, "rasa_client", None)
    if client is None:
        client = httpx.AsyncClient()
        request.app.state.rasa_client = client
    return client


RasaClientDep = Annotated[httpx.AsyncClient, Depends(rasa_client)]


async def ask_rasa(client: httpx.AsyncClient, sender: str, message: str) -> list[BotMessage]:
    """One round trip to Rasa's REST channel; any failure is a 503 with a Chinese detail."""
    url = get_settings().rasa_url.rstrip("/") + "/webhooks/rest/webhook"
    try:
        response = await client.post(url, json={"sender": sender, "message": message},
                                     timeout=RASA_TIMEOUT)
        response.raise_for_status()
        return bot_messages(response.json())
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("chat: Rasa at %s failed: %s: %s", url, type(exc).__name__, exc)
        raise HTTPException(503, UNAVAILABLE) from exc


@router.post("/api/chat", response_model=ChatResponse)
async def chat(body: ChatRequest, store: StoreDep, client: RasaClientDep) -> Any:
    replies = await ask_rasa(client, body.sender, body.message)
    stored = await run_in_threadpool(store.add_exchange, body.sender, body.message, replies)
    return {"sender": body.sender,
            "messages": [{"id": t.id, "text": t.text, "buttons": t.buttons, "custom": t.custom}
                         for t in stored]}


@router.get("/api/chat/history", response_model=HistoryResponse)
def history(store: StoreDep, sender: Annotated[str, Query(pattern=SENDER_PATTERN)]) -> Any:
    return {"sender": sender, "turns": [t.to_json() for t in store.history(sender)]}


@router.post("/api/chat/feedback", status_code=204)
def feedback(body: Feedback, store: StoreDep) -> Response:
    if not store.rate(body.sender, body.message_id, body.rating):
        raise HTTPException(404, f"消息 {body.message_id} 不是该会话中的机器人回复")
    return Response(status_code=204)


@router.options("/api/chat")
@router.options("/api/chat/feedback")
def preflight() -> Response:
    """The browser's CORS preflight before a JSON POST from another site."""
    return Response(status_code=204)
