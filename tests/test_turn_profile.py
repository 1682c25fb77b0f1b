"""The grouping of py-spy's samples of a Rasa turn into its parts (tests/bench/turn_profile.py)."""

from __future__ import annotations

from tests.bench.turn_profile import breakdown

SERVE = "serve (sanic/server/runners.py:155)"
HANDLE = "handle_message (rasa/core/processor.py:160)"


def test_samples_go_to_the_outermost_part_of_a_turn_that_they_are_in() -> None:
    raw = "\n".join([
        f"{SERVE} 30",  # the event loop itself
        f"{SERVE};{HANDLE};get_tracker (rasa/core/processor.py:380);"
        "_retrieve (rasa/core/tracker_store.py:1270);from_dict (rasa/shared/core/trackers.py:145) 20",
        f"{SERVE};{HANDLE};parse_message (rasa/core/processor.py:710);process (rasa/nlu/x.py:3) 10",
        f"{SERVE};{HANDLE};_predict_next_with_tracker (rasa/core/processor.py:1100) 15",
        f"{SERVE};{HANDLE};run (rasa/core/actions/action.py:790) 5",
        f"{SERVE};{HANDLE};save_tracker (rasa/core/processor.py:1090) 10",
        f"{SERVE};{HANDLE};send (sanic/response.py:3) 10",
        "not a sample line",
    ])
    assert breakdown(raw) == {"event loop": 0.3, "tracker load": 0.2, "policies": 0.15, "NLU": 0.1,
                              "tracker save": 0.1, "other": 0.1, "action call": 0.05}
