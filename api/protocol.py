"""The Rasa 3.6 action-server protocol: what Rasa posts to /webhook and what it expects back.

Written here rather than taken from rasa_sdk: rasa_sdk 3.6 does not install on Python
3.11, and the 3.11-capable releases (3.21) pull in Sanic, gRPC and OpenTelemetry for
what is a small JSON contract.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Tracker(BaseModel):
    model_config = ConfigDict(extra="allow")

    sender_id: str
    slots: dict[str, Any] = Field(default_factory=dict)
    latest_message: dict[str, Any] = Field(default_factory=dict)
    events: list[dict[str, Any]] = Field(default_factory=list)
    active_loop: dict[str, Any] | None = Field(default_factory=dict)
    latest_action_name: str | None = None


class ActionCall(BaseModel):
    model_config = ConfigDict(extra="allow")

    next_action: str = Field(min_length=1)
    sender_id: str
    tracker: Tracker
    domain: dict[str, Any] = Field(default_factory=dict)
    version: str = ""


class ActionResponse(BaseModel):
    events: list[dict[str, Any]]
    responses: list[dict[str, Any]]


class ActionRejected(Exception):
    """The action cannot run on this tracker (Rasa then lets other policies act): HTTP 400."""

    def __init__(self, action_name: str, message: str) -> None:
        self.action_name = action_name
        super().__init__(message)


def slot_event(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "timestamp": None, "name": name, "value": value}


def active_loop_event(name: str | None) -> dict[str, Any]:
    return {"event": "active_loop", "timestamp": None, "name": name}
