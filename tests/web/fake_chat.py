"""The chat API as the contract describes it (notes/chat-contract.md), played in the browser.

Playwright routes answer the widget's /api/chat, /api/chat/history and /api/chat/feedback
requests with scripted responses and record what the widget sent, so the widget's side of
the contract (token kept, turn ids, retries, 403/429/503 handling) is tested exactly and
without waiting for a server to misbehave. The pages and widget.js still come from the
real server; the real chat endpoints are tested in test_widget.py and test_widget_live.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Page, Request, Route

UNAVAILABLE = "对话服务暂时不可用,请稍后再试;您也可以拨打12345政务服务便民热线咨询。"
BAD_CONVERSATION = "会话已失效,请刷新页面开始新的对话。"


@dataclass
class Reply:
    status: int
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    abort: bool = False  # the connection fails instead (network error)


def answer(sender: str, text: str, message_id: int = 1, buttons: list[str] | None = None,
           citations: list[int] | None = None) -> Reply:
    return Reply(200, {"sender": sender, "messages": [{
        "id": message_id, "text": text,
        "buttons": [{"title": b, "payload": b} for b in buttons or []],
        "custom": {"citations": citations or []}}]})


def error(status: int, code: str, detail: str, retry_after: int | None = None) -> Reply:
    headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
    return Reply(status, {"code": code, "detail": detail}, headers)


@dataclass
class FakeChat:
    """Scripted replies for POST /api/chat, in order; the rest answered as the contract says."""

    replies: list[Reply] = field(default_factory=list)
    history: dict[str, Any] | None = None           # response body of /api/chat/history
    chats: list[dict[str, Any]] = field(default_factory=list)      # bodies the widget posted
    histories: list[dict[str, Any]] = field(default_factory=list)
    feedback: list[dict[str, Any]] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)   # every request's address
    held: list[Route] = field(default_factory=list)
    hold: bool = False                              # keep chat requests waiting in `held`

    def install(self, page: Page) -> FakeChat:
        page.on("request", lambda request: self.urls.append(request.url))
        page.route("**/api/chat", self._chat)
        page.route("**/api/chat/history", self._history)
        page.route("**/api/chat/feedback", self._feedback)
        return self

    def _chat(self, route: Route, request: Request) -> None:
        self.chats.append(json.loads(request.post_data or "{}"))
        if self.hold:
            self.held.append(route)
            return
        self.respond(route)

    def respond(self, route: Route) -> None:
        reply = self.replies.pop(0) if self.replies else answer("token-default", "好的。", 999)
        if reply.abort:
            route.abort("connectionfailed")
            return
        route.fulfill(status=reply.status, headers={"Content-Type": "application/json", **reply.headers},
                      body=json.dumps(reply.body, ensure_ascii=False))

    def _history(self, route: Route, request: Request) -> None:
        body = json.loads(request.post_data or "{}")
        self.histories.append(body)
        route.fulfill(status=200, content_type="application/json",
                      body=json.dumps(self.history or {"sender": body.get("sender"), "turns": []},
                                      ensure_ascii=False))

    def _feedback(self, route: Route, request: Request) -> None:
        self.feedback.append(json.loads(request.post_data or "{}"))
        route.fulfill(status=204)
