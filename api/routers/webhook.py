"""POST /webhook: the Rasa action server; GET /actions lists what it serves."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from api.actions import ACTIONS
from api.actions.base import Context
from api.deps import ServicesDep
from api.protocol import ActionCall, ActionRejected, ActionResponse

log = logging.getLogger(__name__)
router = APIRouter(tags=["rasa"])


@router.get("/actions")
def list_actions() -> list[dict[str, str]]:
    return [{"name": name} for name in sorted(ACTIONS)]


@router.post("/webhook", response_model=ActionResponse)
async def webhook(request: Request, services: ServicesDep) -> Any:
    try:
        body = await request.json()
    except ValueError:
        return JSONResponse({"error": "request body is not valid JSON"}, status_code=400)
    try:
        call = ActionCall.model_validate(body)
    except ValidationError as exc:
        fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return JSONResponse({"error": f"not a Rasa action call: {fields}"}, status_code=422)
    action = ACTIONS.get(call.next_action)
    if action is None:
        return JSONResponse({"error": f"no registered action found for name "
                                      f"'{call.next_action}'", "action_name": call.next_action},
                            status_code=404)
    try:
        outcome = action(Context(call, services))
    except ActionRejected as exc:
        return JSONResponse({"error": str(exc), "action_name": exc.action_name}, status_code=400)
    log.info("action %s for %s: %d replies", call.next_action, call.sender_id,
             len(outcome.replies))
    return ActionResponse(events=outcome.events, responses=[r.to_rasa() for r in outcome.replies])
