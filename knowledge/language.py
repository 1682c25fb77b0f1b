"""Which language a message is written in: Chinese, or English (as staff of foreign-
invested enterprises write). The reply follows it (api/phrases.py), and search compares
a question with bank questions of its own language (index/hybrid.py)."""

from __future__ import annotations

import re

from knowledge.quantities import normalise

ZH, EN = "zh", "en"
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def language_of(text: str) -> str | None:
    """"en" for a message written mostly in English (at least two words, no more Chinese
    characters than English words), "zh" for one with Chinese in it, None for one in
    neither ("250", "2023-03-10", "ok")."""
    text = normalise(text)
    latin = len(_LATIN_WORD.findall(text))
    han = len(_HAN.findall(text))
    if latin >= 2 and han <= latin:
        return EN
    if han:
        return ZH
    return None
