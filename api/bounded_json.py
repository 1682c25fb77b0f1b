"""JSON parsing with a nesting limit.

Python's json module recurses once per level: a body of 100,000 "[" raises
RecursionError, which is not a ValueError and would surface as a 500; and structures
nested a few hundred levels deep parse, but are no Rasa action call. So the body is
parsed by the C decoder first (linear in its size, whatever it holds), a RecursionError
is a JsonTooDeep, and the parsed value's depth is then counted without recursion.

An earlier version counted the depth on the raw bytes, cutting strings out with a
regular expression first: that cost 5 ms on a late turn's 90 KB tracker (three calls a
turn) and was quadratic on an unterminated string of escaped quotes (40 KB: 11 s).
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64
_CONTAINERS = (list, dict)  # what json.loads builds


class JsonTooDeep(ValueError):
    pass


def json_depth(value: Any, stop_above: int | None = None) -> int:
    """The deepest nesting of arrays and objects in a parsed value (a scalar: 0), one
    level at a time (no recursion); counting stops once the depth passes stop_above."""
    level = [value] if type(value) in _CONTAINERS else []
    depth = 0
    while level and (stop_above is None or depth <= stop_above):
        depth += 1
        level = [child for node in level for child in (node.values() if type(node) is dict else node)
                 if type(child) in _CONTAINERS]
    return depth


def parse_json(raw: bytes, max_depth: int = MAX_DEPTH) -> Any:
    """json.loads, or JsonTooDeep / ValueError for what it must not or cannot parse."""
    too_deep = f"JSON nested more than {max_depth} levels deep"
    try:
        value = json.loads(raw)
    except RecursionError as exc:
        raise JsonTooDeep(too_deep) from exc
    if json_depth(value, stop_above=max_depth) > max_depth:
        raise JsonTooDeep(too_deep)
    return value
