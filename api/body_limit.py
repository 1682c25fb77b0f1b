"""Request bodies bounded by size before anything parses them.

Without a limit, a 10 MB JSON body is read, parsed and validated before a length check
on one field rejects it. Here a declared Content-Length over the route's limit is refused
at once (413), and a body sent without one is counted while it arrives and refused as
soon as it passes the limit. Limits are per path prefix: small for the public chat,
larger for the action webhook, which receives Rasa's whole tracker.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import TOO_LARGE, BodyTooLarge, error_response

CHAT_BODY_LIMIT = 16 * 1024
WEBHOOK_BODY_LIMIT = 4 * 1024 * 1024
DEFAULT_BODY_LIMIT = 64 * 1024
# Maintainers upload documents (base64 in JSON): about 1.5 MB of files per request.
ADMIN_BODY_LIMIT = 2 * 1024 * 1024


class BodyLimit:
    def __init__(self, app: ASGIApp, limits: Sequence[tuple[str, int]], default: int,
                 extra_headers: Callable[[Scope], Mapping[str, str]] = lambda _: {}) -> None:
        """limits: (path prefix, bytes), longest prefix wins; extra_headers: e.g. CORS
        headers for the chat routes, so the widget can read the 413."""
        self.app = app
        self.limits = sorted(limits, key=lambda item: -len(item[0]))
        self.default = default
        self.extra_headers = extra_headers

    def limit_for(self, path: str) -> int:
        return next((limit for prefix, limit in self.limits if path.startswith(prefix)), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            response = error_response(413, "too_large", TOO_LARGE, self.extra_headers(scope))
            await response(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        await self.app(scope, limited, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
