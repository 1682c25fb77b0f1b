"""A turn Rasa failed answers nothing through the REST channel (bot/components/
strict_rest_channel.py), which the chat proxy turns into a 503; an answered turn is
unchanged. Run under Rasa's Python (tests/rasa_channel_check.py)."""

from __future__ import annotations

from tests.rasa_checks import run_rasa_check


def test_a_failed_turn_answers_nothing_and_an_answered_one_is_kept() -> None:
    check = run_rasa_check("tests.rasa_channel_check")
    result = {**check.result, "log": check.log}
    assert result["failed"] == []
    assert [m["text"] for m in result["answered"]] == ["第52条……"]
    assert "turn of talker failed" in result["log"] and "IndexError" in result["log"]
    assert result["name"] == "rest"  # the webhook stays /webhooks/rest/webhook
