"""What the index embeds and scores for each measure, as plain texts."""

from __future__ import annotations

from knowledge.models import Measure
from knowledge.sentences import sentences


def clauses(measure: Measure) -> list[str]:
    """Sentences of a measure: a question often matches one clause, not the whole text."""
    parts = [p.strip() for p in sentences(measure.text) if p.strip()]
    return parts if len(parts) > 1 else []


def titled_text(measure: Measure) -> str:
    """Measure text with its section title: the title names the topic in few words."""
    return f"{measure.section.title}。{measure.text}"
