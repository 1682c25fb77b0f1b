"""Keeping the Rasa processes an answer service talks to on the live version's model.

Each answer service knows its Rasa processes (POLICYBOT_RASA_URL, one or several) and
follows the live knowledge-base version (api/live_version.py); so it is also the one to
make its Rasa processes serve that version's model, through Rasa's model API on loopback
(`PUT /model`, behind a token). That way every node of a cluster follows a publish or a
rollback by itself, a Rasa process restarted with an older model is put right, and
nothing outside needs to know where the Rasa processes are.

Several worker processes of one answer service share the same Rasa processes: one of
them (whoever holds a file lock) loads the model, the others wait until Rasa reports
it, so no worker serves a version whose model Rasa does not have yet.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import time
from functools import cache
from pathlib import Path

import httpx

from api.keys import RASA_TOKEN, secret
from knowledge.settings import Settings
from knowledge.versions import KbVersion

log = logging.getLogger(__name__)
LOAD_TIMEOUT = 300.0


@cache
def _client() -> httpx.Client:
    """One client for the checks every few seconds: httpx builds an SSL context for every
    new client (about 50 ms of CPU here, loading the certificates), more than the check
    itself. Made when first needed, so importing this module costs nothing."""
    return httpx.Client(timeout=5)


def _served(url: str, token: str) -> str | None:
    """The file name of the model Rasa serves; None when Rasa does not answer."""
    try:
        status = _client().get(f"{url}/status", params={"token": token})
    except httpx.HTTPError:
        return None
    if status.status_code != 200:
        log.warning("Rasa at %s: no model API (%s): cannot load models", url, status.status_code)
        return None
    return Path(str(status.json().get("model_file", ""))).name


def _lock_path(settings: Settings, urls: list[str]) -> Path:
    digest = hashlib.sha256(",".join(sorted(urls)).encode()).hexdigest()[:12]
    return settings.var_dir / "run" / f"rasa-models-{digest}.lock"


def sync_rasa_models(settings: Settings, version: KbVersion) -> bool:
    """Make every reachable Rasa process serve the version's model; True when all of
    them do (an unreachable one is left for the next call). Blocking: call it from a
    worker thread."""
    model = version.rasa_model
    urls = settings.rasa_urls
    if model is None or not urls:
        return True
    token = secret(settings, RASA_TOKEN)
    lock_path = _lock_path(settings, urls)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one worker loads; the others find it done
        try:
            return all(_sync_one(url, token, model) for url in urls)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _sync_one(url: str, token: str, model: Path) -> bool:
    served = _served(url, token)
    if served is None:
        return False
    if served == model.name:
        return True
    log.info("Rasa at %s serves %s; loading %s", url, served, model.name)
    started = time.monotonic()
    try:
        loaded = _client().put(f"{url}/model", params={"token": token},
                               json={"model_file": str(model.resolve())}, timeout=LOAD_TIMEOUT)
    except httpx.HTTPError as exc:
        log.error("Rasa at %s did not load %s: %s", url, model.name, exc)
        return False
    if loaded.status_code != 204:
        log.error("Rasa at %s did not load %s: %s %s", url, model.name, loaded.status_code, loaded.text[:300])
        return False
    log.info("Rasa at %s loaded %s in %.1f s", url, model.name, time.monotonic() - started)
    return True
