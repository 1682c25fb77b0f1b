"""The webhook's JSON parsing with a nesting limit (api/bounded_json.py)."""

from __future__ import annotations

import json

import pytest

from api.bounded_json import MAX_DEPTH, JsonTooDeep, json_depth, parse_json


@pytest.mark.parametrize(("value", "depth"), [
    (1, 0), ("[[{", 0), ([], 1), ({"a": "[[[]]]"}, 1), ({"a": [1, {"b": []}]}, 4),
    ([[], [[[]]], {}], 4),
])
def test_depth_counts_arrays_and_objects_not_brackets_in_strings(value: object, depth: int) -> None:
    assert json_depth(value) == depth


def test_depth_stops_counting_past_the_limit() -> None:
    deep: list[object] = []
    for _ in range(1000):
        deep = [deep]
    assert json_depth(deep, stop_above=3) == 4


def test_the_limit_itself_parses_and_one_more_is_refused() -> None:
    at_limit = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    assert json_depth(parse_json(at_limit)) == MAX_DEPTH
    with pytest.raises(JsonTooDeep):
        parse_json(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1))


def test_deeper_than_python_recurses_is_too_deep_not_a_recursion_error() -> None:
    with pytest.raises(JsonTooDeep):
        parse_json(b'{"a":' * 100_000 + b"1" + b"}" * 100_000)


@pytest.mark.parametrize("raw", [
    b'"' + b'\\"' * 100_000,  # an unterminated string of escaped quotes
    b'"\\' * 100_000,
    b"[1, 2",
    b"\xff\xfe",
])
def test_malformed_bodies_are_value_errors(raw: bytes) -> None:
    with pytest.raises(ValueError):
        parse_json(raw)


def test_a_real_tracker_parses_to_what_json_reads() -> None:
    event = {"event": "user", "text": "[{第44条}]", "parse_data": {}}
    raw = json.dumps({"tracker": {"events": [event]}}).encode()
    assert parse_json(raw) == json.loads(raw)
