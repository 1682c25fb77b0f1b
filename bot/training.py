"""Train the Rasa model for one knowledge-base version, only when its inputs changed.

A version's NLU depends on the knowledge base through the generated training data
(bank questions, department names and aliases, measure numbers, rule topics, lookup
tables), the jieba dictionary and the distilled model the featurizer reads. Those are
generated into the version's own folder; the hand-written data, domain, config and
components come from bot/ in the project. The model is stored under the digest of all of
it, so a version that changes none of them (a deadline moved) reuses the model of the
version before, and publishing takes seconds instead of minutes.

Rasa runs in its own Python environment (.venv-rasa): training is a subprocess, its
output passed on line by line as progress.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.training_data import generate
from knowledge.settings import PROJECT_ROOT, Settings

RASA = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
CONFIG = PROJECT_ROOT / "config.yml"
DOMAIN = PROJECT_ROOT / "bot" / "domain.yml"
# What bot/data holds besides the generated part (which each version generates itself).
HANDWRITTEN = [PROJECT_ROOT / "bot" / "data" / "nlu", PROJECT_ROOT / "bot" / "data" / "rules.yml",
               PROJECT_ROOT / "bot" / "data" / "stories.yml"]
COMPONENTS = PROJECT_ROOT / "bot" / "components"
REQUIREMENTS = PROJECT_ROOT / "requirements" / "rasa.txt"
STAMP = "policybot-distill.json"  # the distilled model's stamp (index/distill.py)


class TrainingFailed(Exception):
    pass


@dataclass(frozen=True)
class RasaInputs:
    generated: Path  # <bot dir>/data/generated
    dictionary: Path  # <bot dir>/dictionary
    model_dir: Path  # the distilled model the featurizer reads
    digest: str


def _files(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]


def prepare(settings: Settings, bot_dir: Path, model_dir: Path) -> RasaInputs:
    """Generate the version's training data into bot_dir; digest everything training reads."""
    generate(settings, bot_dir)
    generated, dictionary = bot_dir / "data" / "generated", bot_dir / "dictionary"
    h = hashlib.sha256(str(model_dir.resolve()).encode())
    inputs = [CONFIG, DOMAIN, REQUIREMENTS, model_dir / STAMP, *_files(COMPONENTS),
              *(f for path in HANDWRITTEN for f in _files(path)), *_files(generated), *_files(dictionary)]
    for path in inputs:
        if path.suffix in (".pyc",) or "__pycache__" in path.parts:
            continue
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return RasaInputs(generated, dictionary, model_dir, h.hexdigest()[:16])


def rasa_env(model_dir: Path, dictionary: Path) -> dict[str, str]:
    """What config.yml reads from the environment (Rasa cannot read the settings)."""
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "POLICYBOT_DISTILLED_MODEL_DIR": str(model_dir.resolve()),
            "POLICYBOT_JIEBA_DICTIONARY": str(dictionary.resolve())}


def train(inputs: RasaInputs, out: Path, progress: Callable[[str], None] | None = None) -> Path:
    """Train into `out` (a .tar.gz path) unless it exists; returns it."""
    if out.is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".train-", dir=out.parent))
    command = [str(RASA), "train", "--config", str(CONFIG), "--domain", str(DOMAIN),
               "--data", *map(str, HANDWRITTEN), str(inputs.generated),
               "--out", str(work), "--fixed-model-name", "model"]
    try:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT,
                                   env=rasa_env(inputs.model_dir, inputs.dictionary),
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert process.stdout is not None
        tail: list[str] = []
        for line in process.stdout:
            tail = (tail + [line.rstrip()])[-30:]
            if progress is not None and ("Training" in line or "Finished" in line or "trained" in line):
                progress(line.strip()[-160:])
        if process.wait() != 0:
            raise TrainingFailed("rasa train failed:\n" + "\n".join(tail))
        os.replace(work / "model.tar.gz", out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out
