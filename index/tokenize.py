"""Tokens for BM25: jieba words (with the policy-term dictionary) and character bigrams.

Two views because they fail differently: words match jargon as a unit ("六税两费"),
bigrams survive segmentation mistakes and colloquial spellings.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import cache, partial
from pathlib import Path

import jieba

from knowledge.settings import get_settings

jieba.setLogLevel(logging.WARNING)

_RUN = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]+|\d+(?:\.\d+)?")
_STOP_WORDS = """
的 了 吗 呢 吧 啊 呀 么 嘛 和 与 及 或 是 在 有 我 我们 你 你们 他 她 它 这 那 这个 那个
哪个 什么 怎么 怎么样 如何 能 能不能 可以 可不可以 会 要 想 想问 问 一下 请问 就 都 也 还
对 给 把 被 让 啥 咋 多少 哪些 有没有 是不是 没有 不 一个 些 个 里 上 下 中
等 及其 其 之 以 为 于 并 而 又 从 到 向 由
"""
_STOP = frozenset(_STOP_WORDS.split())


@cache
def _segmenter(terms_file: Path) -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    if terms_file.exists():
        tokenizer.load_userdict(str(terms_file))
    return tokenizer


def segmenter(terms_file: Path | None = None) -> jieba.Tokenizer:
    """A private jieba instance with a policy-term dictionary (never the global one): the
    given one (a published version's), else the settings' one."""
    return _segmenter(terms_file or get_settings().terms_file)


_DOUBLE_END = re.compile(r"([b-df-hj-np-tv-z])\1$")


def stem(word: str) -> str:
    """An English word without its inflection, so that "deferred", "defers" and
    "deferring" meet "defer" and "repayments" meets "repaying" ("repay"). A few suffix
    rules, not a full stemmer: enough for the plural, tense and -ment of questions;
    anything else (Chinese, numbers) is returned as it is."""
    if not word.isascii() or not word.isalpha() or len(word) <= 3:
        return word
    for suffix, replacement in (("ies", "y"), ("sses", "ss"), ("ments", ""), ("ment", ""),
                                ("ings", ""), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and \
                not (suffix == "s" and word.endswith(("ss", "us", "is"))):
            word = word[:len(word) - len(suffix)] + replacement
            break
    word = _DOUBLE_END.sub(r"\1", word)  # "deferr" -> "defer"
    return word[:-1] if word.endswith("e") and len(word) > 4 else word  # "increas(e)"


def words(text: str, terms_file: Path | None = None) -> list[str]:
    """jieba words without punctuation and function words, lower-cased; English words
    stemmed."""
    out = []
    for token in segmenter(terms_file).lcut(text):
        token = token.strip().lower()
        if token and _RUN.fullmatch(token) and token not in _STOP:
            out.append(stem(token))
    return out


def word_tokenizer(terms_file: Path | None) -> Callable[[str], list[str]]:
    """words() bound to one term dictionary, as an index that was built with it needs."""
    return partial(words, terms_file=terms_file)


def bigrams(text: str) -> list[str]:
    """Overlapping character bigrams of each Chinese run; Latin words (stemmed) and
    numbers whole."""
    out: list[str] = []
    for run in _RUN.findall(text.lower()):
        if not ("\u4e00" <= run[0] <= "\u9fff") or len(run) == 1:
            out.append(stem(run))
            continue
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


# How people frame a question, not what it is about; left out when judging whether the
# knowledge base covers a question at all.
_FRAMES = re.compile(
    "|".join([
        "找哪个部门", "哪个部门", "哪个单位", "哪个科室", "什么部门", "哪里办", "去哪里", "去哪儿",
        "找谁", "归谁管", "谁负责", "谁管", "怎么申请", "如何申请", "怎么办理", "怎么办",
        "有没有", "能不能", "可不可以", "是不是", "可以吗", "行不行", "请问", "想问一下", "想问",
        "我们公司", "我们企业", "我们", "咨询一下", "了解一下",
    ])
)


def strip_framing(text: str) -> str:
    """The question without how it is framed: "展会补贴找哪个部门?" -> "展会补贴 ?"."""
    return _FRAMES.sub(" ", text)


def content_bigrams(text: str) -> list[str]:
    """Bigrams of a question without its framing words ("找哪个部门", "能不能" …)."""
    return bigrams(strip_framing(text))
