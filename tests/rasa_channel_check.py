"""The strict REST channel (bot/components/strict_rest_channel.py) with a turn that fails
after the bot said something, and one that does not; under .venv-rasa's Python, run by
tests/bot/test_strict_rest_channel.py as a module from the project root.

A failing turn is a fault the real stack cannot be made to produce on purpose (the one
that did, the tracker window's, is fixed), so the handler here raises by design. Prints
JSON: what each turn's collector holds afterwards, and the channel's name.
"""

from __future__ import annotations

import asyncio
import json
import sys

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.components.strict_rest_channel import StrictRestInput, failing_as_silent


async def _answer_then(fail: bool, message: UserMessage) -> None:
    assert message.output_channel is not None
    await message.output_channel.send_text_message(message.sender_id or "", "第52条……")
    if fail:
        raise IndexError("list index out of range")


async def main() -> None:
    held = {}
    for fail in (True, False):
        collector = CollectingOutputChannel()

        async def handler(message: UserMessage, fail: bool = fail) -> None:
            await _answer_then(fail, message)

        await failing_as_silent(handler)(UserMessage("展位费能补贴吗?", collector, "talker"))
        held["failed" if fail else "answered"] = collector.messages
    sys.stdout.write(json.dumps({**held, "name": StrictRestInput.name()}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
