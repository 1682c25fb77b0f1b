"""Rasa sends the answer service a cut tracker (bot/components/action_payload.py): only
the events the answer service reads. Every reader of the events in api/actions gets the
same from the cut tracker as from the whole one, at every action call of a recorded
conversation and of one with a restart and a matching list (tests/rasa_payload_check.py,
run under Rasa's Python)."""

from __future__ import annotations

from typing import Any, cast

import pytest

from api.actions.base import Context
from api.actions.eligibility import _asked_this_turn, _back_from_digression
from api.actions.lookup import after_match
from api.protocol import ActionCall
from api.services import Services
from tests.rasa_checks import run_rasa_check


@pytest.fixture(scope="module")
def checked() -> dict[str, Any]:
    return run_rasa_check("tests.rasa_payload_check").result


def _context(events: list[dict[str, Any]]) -> Context:
    latest: dict[str, Any] = next((e for e in reversed(events) if e["event"] == "user"), {})
    call = ActionCall.model_validate({
        "next_action": "action_answer_question", "sender_id": "talker",
        "tracker": {"sender_id": "talker", "events": events,
                    "latest_message": {"text": latest.get("text"), **(latest.get("parse_data") or {})}}})
    return Context(call, cast(Services, None))


def _what_the_actions_read(ctx: Context) -> dict[str, Any]:
    return {"user_texts": ctx.user_texts, "language": ctx.language,
            "since_user_message": ctx.since_user_message(), "said_this_turn": ctx.said_this_turn(),
            "offered_buttons": ctx._offered_buttons(), "after_match": after_match(ctx),
            "back_from_digression": _back_from_digression(ctx), "asked_this_turn": _asked_this_turn(ctx)}


@pytest.mark.parametrize("session", ["recorded", "after"])
def test_the_actions_read_the_same_from_the_cut_tracker(checked: dict[str, Any], session: str) -> None:
    calls = checked["sessions"][session]
    assert len(calls) > 10
    for i, call in enumerate(calls):
        cut, full = _context(call["cut"]), _context(call["full"])
        assert _what_the_actions_read(cut) == _what_the_actions_read(full), i


def test_the_sessions_reach_every_reader(checked: dict[str, Any]) -> None:
    # Each reader sees something at some call, so the comparison above could fail.
    seen = [_what_the_actions_read(_context(call["full"]))
            for calls in checked["sessions"].values() for call in calls]
    for reader in ("offered_buttons", "after_match", "back_from_digression", "asked_this_turn",
                   "said_this_turn"):
        assert any(s[reader] for s in seen), reader
    assert any(s["language"] == "en" for s in seen) and any(len(s["user_texts"]) > 3 for s in seen)


def test_the_cut_is_smaller_and_the_rest_of_the_call_is_rasas(checked: dict[str, Any]) -> None:
    assert checked["same_besides_events"] and checked["installed_once"]
    whole, cut = checked["events_sent"]
    assert cut < whole / 3
    whole_bytes, cut_bytes = checked["bytes_sent"]
    assert cut_bytes < whole_bytes / 3
