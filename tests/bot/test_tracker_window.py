"""The windowed tracker store (bot/components/windowed_tracker_store.py) read and
written beside Rasa's own SQL tracker store, under Rasa's Python (tests/rasa_window_check.py):
the window must change the cost of a turn, never what the conversation knows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.rasa_checks import run_rasa_check

TURNS = 40


def _check(tmp_path: Path, window: int, hidden_from: int = TURNS) -> dict[str, Any]:
    return run_rasa_check("tests.rasa_window_check", str(tmp_path / "t.db"), str(TURNS), str(window),
                          str(hidden_from)).result


@pytest.fixture(scope="module")
def cut(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _check(tmp_path_factory.mktemp("window"), window=30)


def test_a_long_session_is_cut_to_its_window(cut: dict[str, Any]) -> None:
    rasa, windowed = cut["before"]["rasa"], cut["before"]["windowed"]
    assert rasa["events"] > 200
    # state before the window (4 slots, the form) + 40 user messages + at most 30 + one turn
    assert windowed["events"] <= 5 + TURNS + 30


def test_the_window_knows_what_the_whole_session_knows(cut: dict[str, Any]) -> None:
    rasa, windowed = cut["before"]["rasa"], cut["before"]["windowed"]
    assert windowed["slots"] == rasa["slots"]
    assert rasa["slots"]["eligibility_facts"] == {"size": "small"}  # set at turn 1 only
    assert windowed["active_loop"] == rasa["active_loop"] == "eligibility_form"  # opened at turn 3
    assert windowed["latest"] == rasa["latest"]
    assert windowed["texts"] == rasa["texts"] and len(rasa["texts"]) == TURNS
    assert windowed["states"] == rasa["states"]  # what the policies predict from
    assert windowed["policy_states"] == rasa["policy_states"]


def test_reading_only_what_is_new_reads_what_reading_all_does(cut: dict[str, Any]) -> None:
    """Five more turns through one store, which fetches only the rows after those it read
    and replays only past where it stopped: it reads what a fresh store reads, and it
    knows what Rasa's store knows."""
    later = cut["later"]
    assert later["cached"] == later["cold"]
    assert later["cached"]["texts"] == later["rasa"]["texts"] and len(later["rasa"]["texts"]) == TURNS + 6
    assert later["cached"]["slots"] == later["rasa"]["slots"]
    assert later["cached"]["states"] == later["rasa"]["states"]
    assert later["cached"]["latest"] == later["rasa"]["latest"] == f"第{TURNS + 6}个问题"


def test_a_save_appends_exactly_the_new_turn(cut: dict[str, Any]) -> None:
    assert cut["after"]["events"] == cut["stored"] + 5  # saved twice and copied, stored once
    assert cut["after_types"] == ["user", "action", "slot", "bot", "action"]
    assert cut["after"]["texts"][-1] == f"第{TURNS + 1}个问题"
    assert cut["missing"]


def test_the_window_reaches_back_to_the_turns_the_policies_see(tmp_path: Path) -> None:
    """Memoization skips turns a rule predicted, here the last 15 (about 75 events): the
    turns it looks back on lie before the last 30 events, so the window reaches back to
    them. Cut away, the policies once got no state at all and Rasa failed the turn
    without saving it."""
    result = _check(tmp_path, window=30, hidden_from=TURNS - 15)
    rasa, windowed = result["before"]["rasa"], result["before"]["windowed"]
    assert 15 * 5 < windowed["events"] - TURNS < rasa["events"] - 50
    assert windowed["policy_states"] == rasa["policy_states"] and len(rasa["policy_states"]) == 5
    assert windowed["states"] == rasa["states"] and windowed["slots"] == rasa["slots"]


def test_a_form_ignored_beyond_the_reach_still_gets_a_prediction(tmp_path: Path) -> None:
    """Every turn after the form opened skipped by the policies, longer than the window
    reaches (4 x 30 events): the window stays bounded, and the policies get a short
    history instead of an empty one. It is not the whole session's (which reaches back to
    turn 3); rules predict these turns, as their hidden flag says."""
    result = _check(tmp_path, window=30, hidden_from=3)
    rasa, windowed = result["before"]["rasa"], result["before"]["windowed"]
    assert windowed["events"] <= 5 + TURNS + 30
    assert windowed["policy_states"] and rasa["policy_states"]
    assert windowed["slots"] == rasa["slots"] and windowed["active_loop"] == "eligibility_form"


def test_a_short_session_is_not_cut(tmp_path: Path) -> None:
    result = _check(tmp_path, window=1000)
    assert result["before"]["windowed"] == result["before"]["rasa"]
    assert result["after"]["events"] == result["stored"] + 5


def test_a_real_session_with_a_check_left_open_featurises_as_without_the_window(tmp_path: Path) -> None:
    """A recorded session of this bot (tests/rasa_window_session_check.py): its last 60
    events once held too few turns the policies see, and Rasa's featuriser ended with no
    state at all mid-turn, which failed every following turn of the conversation."""
    result = run_rasa_check("tests.rasa_window_session_check", str(tmp_path / "s.db")).result
    assert result["events"] > 60
    assert isinstance(result["rasa"], list) and result["rasa"]
    assert result["windowed"] == result["rasa"]
