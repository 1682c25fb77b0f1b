"""Rasa's REST channel, except that a turn Rasa failed is answered with nothing.

Rasa's own REST channel logs an exception raised while a message is handled and then
answers 200 with whatever the bot had said before it: a turn that failed after the
answer action ran looks answered, but Rasa never saved it, so the conversation forgets
it (the next follow-up names the measure before). That is how a bug in the tracker
window went unseen. Here such a turn answers an empty list, which the chat proxy
(api/routers/chat.py) already turns into a 503 with the Chinese "try again" message and
the question removed from the transcript: the user knows, and nothing half-done stays.

Configured in bot/credentials.yml under its module path; its name is still "rest", so
the webhook stays /webhooks/rest/webhook.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput

log = logging.getLogger(__name__)


def failing_as_silent(on_new_message: Callable[[UserMessage], Awaitable[Any]]
                      ) -> Callable[[UserMessage], Awaitable[None]]:
    """on_new_message whose failure leaves the collected answer empty."""

    async def handle(message: UserMessage) -> None:
        try:
            await on_new_message(message)
        except Exception:
            log.exception("turn of %s failed; answering nothing so the caller retries",
                          message.sender_id)
            if isinstance(message.output_channel, CollectingOutputChannel):
                message.output_channel.messages.clear()

    return handle


class StrictRestInput(RestInput):
    """RestInput answering nothing for a turn Rasa failed (module docstring)."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Any:
        return super().blueprint(failing_as_silent(on_new_message))
