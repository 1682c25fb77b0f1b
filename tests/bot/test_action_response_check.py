"""Rasa's check of the action server's responses, compiled once (bot/components/
action_response_check.py), says what Rasa's own check says, under Rasa's Python
(tests/rasa_action_check.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rasa_checks import run_rasa_check


@pytest.fixture(scope="module")
def checked() -> dict[str, Any]:
    return run_rasa_check("tests.rasa_action_check").result


def test_the_compiled_check_says_what_rasas_says(checked: dict[str, Any]) -> None:
    assert checked["compiled"] == checked["rasa"]
    assert checked["rasa"]["answer"] is True and checked["rasa"]["empty"] is True
    refused = [name for name, verdict in checked["rasa"].items() if verdict is not True]
    assert sorted(refused) == ["event without a type", "events not a list", "responses not a list",
                               "unknown event"]
    assert all("Failed to validate Action server response" in checked["compiled"][n] for n in refused)


def test_it_is_installed_once(checked: dict[str, Any]) -> None:
    assert checked["replaced"] and checked["installed_once"]
