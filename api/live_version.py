"""Keeping a running answer service on the live knowledge-base version.

A publish or rollback moves the LIVE pointer (knowledge/versions.py); every answer
service polls it (a file read a second) and, when it moves, loads the new version's
services in a worker thread and swaps them in with one assignment. A request resolves
its services once, at its start, so requests in flight finish on the version they began
with and none fails during the swap. A version that cannot be loaded is logged and the
old one keeps serving (the publish command then reports that this service did not
follow). Polling rather than an admin call lets any number of processes follow the same
pointer, however they were started.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from api.services import load_services
from knowledge.settings import Settings
from knowledge.versions import get, live_id

log = logging.getLogger(__name__)


async def follow_live_version(app: FastAPI, settings: Settings) -> None:
    failed: str | None = None
    while True:
        await asyncio.sleep(settings.kb_poll_seconds)
        try:
            wanted = live_id(settings)
        except OSError as exc:
            log.warning("cannot read the live pointer: %s", exc)
            continue
        if wanted is None or wanted == app.state.services.kb_version or wanted == failed:
            continue
        try:
            fresh = await run_in_threadpool(load_services, settings, get(settings, wanted))
        except Exception as exc:  # noqa: BLE001 - any failure keeps the old version serving
            log.error("cannot load knowledge version %s, still serving %s: %s", wanted,
                      app.state.services.kb_version, exc)
            failed = wanted
            continue
        app.state.services = fresh
        failed = None
        log.info("now serving knowledge version %s (index %s)", wanted, fresh.index.version)
