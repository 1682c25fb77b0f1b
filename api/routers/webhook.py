"""POST /webhook: the Rasa action server; GET /actions lists what it serves.

Only Rasa may call these: it presents the shared action token (bot/endpoints.yml sends
`Authorization: Bearer <token>`), checked before the body is read. The body is parsed
with a depth limit and validated, and the action runs in a worker thread, so neither a
malformed nor a slow action call holds up /health or another user's request.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api.actions import ACTIONS
from api.actions.base import Context
from api.bounded_json import JsonTooDeep, parse_json
from api.conversation_ids import log_id
from api.deps import ServicesDep
from api.errors import ApiError, clean_text
from api.protocol import ActionCall, ActionRejected, ActionResponse, inline_schema
from api.services import Services

log = logging.getLogger(__name__)


def require_action_token(request: Request) -> None:
    """401 unless the request carries the deployment's action token."""
    expected: str = request.app.state.action_token
    given = request.headers.get("authorization", "")
    scheme, _, token = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), expected.encode()):
        raise ApiError(401, "unauthorized", "this endpoint is for the Rasa server only",
                       {"WWW-Authenticate": "Bearer"})


router = APIRouter(tags=["rasa"], dependencies=[Depends(require_action_token)])
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Not JSON, nested too deep, or the action rejected the tracker"},
    401: {"description": "Missing or wrong action token"},
    404: {"description": "No such action"},
    413: {"description": "Body over the limit"},
    422: {"description": "Not a Rasa action call"},
    503: {"description": "The index is still loading"},
}


@router.get("/actions", responses=ERRORS)
def list_actions() -> list[dict[str, str]]:
    return [{"name": name} for name in sorted(ACTIONS)]


@router.post("/webhook", response_model=ActionResponse, responses=ERRORS, openapi_extra={
    "requestBody": {"required": True,
                    "content": {"application/json": {"schema": inline_schema(ActionCall)}}}})
async def webhook(request: Request, services: ServicesDep) -> Any:
    """Run one action for Rasa. The body is read here, not by FastAPI, so that the token
    is checked before it is read and parsing happens in the worker thread."""
    raw = await request.body()
    return await run_in_threadpool(_run, raw, services)


def _run(raw: bytes, services: Services) -> Any:
    try:
        body = parse_json(raw)
    except JsonTooDeep as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    except ValueError:
        return JSONResponse({"error": "request body is not valid JSON"}, status_code=400)
    try:
        call = ActionCall.model_validate(body)
    except ValidationError as exc:
        fields = "; ".join(clean_text(f"{'.'.join(map(str, e['loc']))[:100]}: {e['msg']}")
                           for e in exc.errors()[:10])
        return JSONResponse({"error": f"not a Rasa action call: {fields}"}, status_code=422)
    action = ACTIONS.get(call.next_action)
    if action is None:
        name = clean_text(call.next_action)
        return JSONResponse({"error": f"no registered action found for name '{name}'",
                             "action_name": name}, status_code=404)
    context = Context(call, services)
    try:
        outcome = action(context)
    except ActionRejected as exc:
        return JSONResponse({"error": clean_text(exc, 500), "action_name": exc.action_name},
                            status_code=400)
    log.info("action %s for %s: %d replies", call.next_action, log_id(call.sender_id),
             len(outcome.replies))
    # The domain's own responses (greetings, thanks) follow the language slot.
    events = [*outcome.events, *context.language_events()]
    return ActionResponse(events=events, responses=[r.to_rasa() for r in outcome.replies])
