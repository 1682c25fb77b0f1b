"""JSON parsing with a nesting limit.

Python's json module recurses once per level: a body of 100,000 "[" raises
RecursionError, which is not a ValueError and would surface as a 500. Counting the depth
first is one linear pass over bytes that are already bounded in size.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


class JsonTooDeep(ValueError):
    pass


def json_depth(raw: bytes, stop_above: int | None = None) -> int:
    """The deepest nesting of arrays and objects, ignoring brackets inside strings
    (strings are cut out by a regex and the rest reduced to brackets, both at C speed);
    counting stops once the depth passes stop_above."""
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKET)
    depth = deepest = 0
    for byte in brackets:
        if byte in b"[{":
            depth += 1
            deepest = max(deepest, depth)
            if stop_above is not None and deepest > stop_above:
                break
        else:
            depth -= 1
    return deepest


def parse_json(raw: bytes, max_depth: int = MAX_DEPTH) -> Any:
    """json.loads, or JsonTooDeep / ValueError for what it must not or cannot parse."""
    if json_depth(raw, stop_above=max_depth) > max_depth:
        raise JsonTooDeep(f"JSON nested more than {max_depth} levels deep")
    return json.loads(raw)
