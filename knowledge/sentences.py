"""Sentences of policy text: the unit an answer quotes and the index embeds as a clause."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[。;])")


def sentences(text: str) -> list[str]:
    """The text cut after each 。 or ;, nothing stripped: joined again they give the text
    back unchanged, so a quote built from them never rewords the measure."""
    return [piece for piece in _SENTENCE_END.split(text) if piece]
