"""Keeping a running answer service (and its Rasa processes) on the live version.

A publish or rollback moves the LIVE pointer (knowledge/versions.py); every answer
service polls it (a file read a second) and, when it moves, loads the new version's
services in a worker thread, has its Rasa processes load the version's model
(api/rasa_models.py), and then swaps the services in with one assignment. A request
resolves its services once, at its start, so requests in flight finish on the version
they began with and none fails during the swap. A version that cannot be loaded is
logged and the old one keeps serving (the publish command then reports that this
service did not follow). Polling rather than an admin call lets any number of processes
on any number of machines follow the same pointer, however they were started; a Rasa
process restarted with an older model is put right at the next check.
"""

from __future__ import annotations

import asyncio
import logging
import time

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from api.rasa_models import sync_rasa_models
from api.services import load_services
from knowledge.settings import Settings
from knowledge.versions import get, live_id

log = logging.getLogger(__name__)
# How often Rasa's model is checked again when nothing changed (a restarted Rasa).
RESYNC_SECONDS = 15.0
# ... and when a Rasa process did not answer (not started yet, restarting).
RETRY_SECONDS = 3.0


async def follow_live_version(app: FastAPI, settings: Settings) -> None:
    """Runs for the life of the app; an unexpected error is logged and the next round
    tries again (a dead follower would leave the service on an old version for good)."""
    state = _Follower()
    while True:
        await asyncio.sleep(settings.kb_poll_seconds)
        try:
            await state.step(app, settings)
        except Exception:  # noqa: BLE001 - see the docstring
            log.exception("following the live knowledge version failed; trying again")


class _Follower:
    def __init__(self) -> None:
        self.failed: str | None = None
        self.synced: str | None = None
        self.checked = 0.0

    async def step(self, app: FastAPI, settings: Settings) -> None:
        wanted = live_id(settings)
        current = app.state.services.kb_version
        if wanted is None or wanted == self.failed:
            return
        if wanted == current:
            since = time.monotonic() - self.checked
            due = since > RESYNC_SECONDS or (self.synced != wanted and since > RETRY_SECONDS)
            if settings.manage_rasa and due:
                self.checked = time.monotonic()
                if await run_in_threadpool(sync_rasa_models, settings, get(settings, wanted)):
                    self.synced = wanted
            return
        try:
            version = get(settings, wanted)
            fresh = await run_in_threadpool(load_services, settings, version)
        except Exception as exc:  # noqa: BLE001 - any failure keeps the old version serving
            log.error("cannot load knowledge version %s, still serving %s: %s", wanted, current, exc)
            self.failed = wanted
            return
        if settings.manage_rasa:
            # Rasa first: a reply citing the new version must not come from the old NLU
            # for long. A Rasa that does not answer is synced at a later check.
            synced = await run_in_threadpool(sync_rasa_models, settings, version)
            self.synced = wanted if synced else None
            self.checked = time.monotonic()
        app.state.services = fresh
        self.failed = None
        log.info("now serving knowledge version %s (index %s)", wanted, fresh.index.version)
