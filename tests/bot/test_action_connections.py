"""Rasa's requests to the answer service over kept-alive connections (bot/components/
action_connections.py) behave as Rasa's own, one connection instead of one per call,
under Rasa's Python (tests/rasa_connection_check.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rasa_checks import run_rasa_check


@pytest.fixture(scope="module")
def checked() -> dict[str, Any]:
    return run_rasa_check("tests.rasa_connection_check").result


def _sent(calls: dict[str, Any]) -> list[dict[str, Any]]:
    return [{k: v for k, v in seen.items() if k != "port"} for seen in calls["seen"]]


def test_the_server_gets_what_rasa_sends(checked: dict[str, Any]) -> None:
    rasa, kept = checked["rasa"], checked["kept"]
    assert _sent(kept)[:6] == _sent(rasa)  # headers, token, bodies; the retry is the 7th
    assert all(s["auth"] == "Bearer secret" and s["token"] == "t0k" for s in _sent(kept))


def test_rasa_gets_what_its_own_request_returns(checked: dict[str, Any]) -> None:
    rasa, kept = checked["rasa"], checked["kept"]
    assert kept["answers"] == rasa["answers"] == [{"events": [], "echo": {"n": n}} for n in range(3)]
    assert kept["refused"] == rasa["refused"] and rasa["refused"]["status"] == 400
    assert kept["text"] is rasa["text"] is None  # a body that is not JSON


def test_calls_share_one_connection(checked: dict[str, Any]) -> None:
    assert checked["rasa"]["connections"] == 6  # one per call
    assert checked["kept"]["connections"] == 2  # one, and the one after the server closed it


def test_a_connection_closed_before_the_reply_is_retried_once(checked: dict[str, Any]) -> None:
    assert checked["rasa"]["after_drop"] == "ServerDisconnectedError"
    assert checked["kept"]["after_drop"] == {"events": [], "echo": {"n": 9}}
    assert [s["body"] for s in checked["kept"]["seen"][-2:]] == ['{"n": 9}', '{"n": 9}']


def test_it_is_installed_once(checked: dict[str, Any]) -> None:
    assert checked["replaced"] and checked["installed_once"]
