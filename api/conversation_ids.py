"""Conversation ids issued and signed by the server: the widget's only credential.

A browser used to invent its own sender id, so anyone who knew or guessed one could read,
rate and continue that conversation. Now the server makes a random id on a browser's
first message and hands out `<id>.<signature>`; every chat route accepts only a token
this server signed. The raw id is what Rasa and the conversation store know; the token
never needs storing, and logs carry only a short digest of the id (`log_id`).

Ids that earlier widgets made up (`web-` + 24 hex digits) keep their conversation: the
first request that presents one which the store knows, and which nobody has claimed yet,
gets the signed token for it; after that the bare id is refused (ConversationStore.claim).
"""

from __future__ import annotations

import hashlib
import re
import secrets

from itsdangerous import BadSignature, Signer

LEGACY_ID = re.compile(r"web-[0-9a-f]{24}")
_RAW_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")


class ConversationIds:
    def __init__(self, key: str) -> None:
        self._signer = Signer(key, salt="policybot.conversation")

    def new(self) -> tuple[str, str]:
        """A fresh (raw id, token)."""
        raw = secrets.token_urlsafe(18)
        return raw, self.token(raw)

    def token(self, raw: str) -> str:
        return self._signer.sign(raw).decode("ascii")

    def verify(self, token: str) -> str | None:
        """The raw id inside a token this server signed, else None."""
        try:
            raw = self._signer.unsign(token.encode("ascii", errors="strict")).decode("ascii")
        except (BadSignature, UnicodeError):
            return None
        return raw if _RAW_ID.fullmatch(raw) or LEGACY_ID.fullmatch(raw) else None


def log_id(raw: str) -> str:
    """What logs may say about a conversation: enough to follow one, not to join it."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:10]
