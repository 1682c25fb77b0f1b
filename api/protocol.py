"""The Rasa 3.6 action-server protocol: what Rasa posts to /webhook and what it expects back.

Written here rather than taken from rasa_sdk: rasa_sdk 3.6 does not install on Python
3.11, and the 3.11-capable releases (3.21) pull in Sanic, gRPC and OpenTelemetry for
what is a small JSON contract.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

# The fields the actions read are typed and bounded, so a malformed tracker is a 422
# naming the field, never a crash inside an action. What the actions do not read stays
# free-form (extra="allow"). Measure numbers are small positive integers everywhere.
MeasureNumber = Annotated[int, Field(ge=1, le=9999)]
# With several documents loaded a slot keeps a measure as "doc_id#number" (Catalog.ref).
MeasureKey = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}#[0-9]{1,4}$")]
MeasureRef = MeasureNumber | MeasureKey
ShortText = Annotated[str, Field(max_length=200)]
Scalar = Annotated[str, Field(max_length=10_000)] | int | float | bool | None
# A fact's value as a slot keeps it: a scalar, or a range [low, high] (None: open end).
FactValue = Scalar | Annotated[list[Scalar], Field(min_length=2, max_length=2)]


class Intent(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: ShortText | None = None
    confidence: float = Field(0.0, ge=0.0, le=1.0)


class Entity(BaseModel):
    model_config = ConfigDict(extra="allow")

    entity: ShortText
    value: Scalar = None


class LatestMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    text: Annotated[str, Field(max_length=10_000)] | None = None
    intent: Intent | None = None
    entities: list[Entity] = Field(default_factory=list, max_length=200)


class Slots(BaseModel):
    """The slots the actions own (bot/domain.yml); other slots pass through unchecked."""

    model_config = ConfigDict(extra="allow")

    current_measures: list[MeasureRef] | None = Field(default=None, max_length=100)
    offered_measures: list[MeasureRef] | None = Field(default=None, max_length=100)
    eligibility_measure: MeasureRef | None = None
    eligibility_facts: dict[ShortText, FactValue] | None = Field(default=None, max_length=200)
    eligibility_pending: ShortText | None = None
    eligibility_answer: Scalar = None
    language: Annotated[str, Field(max_length=8)] | None = None


class Tracker(BaseModel):
    model_config = ConfigDict(extra="allow")

    sender_id: ShortText
    slots: Slots = Field(default_factory=lambda: Slots())
    latest_message: LatestMessage = Field(default_factory=LatestMessage)
    events: list[dict[str, Any]] = Field(default_factory=list)
    active_loop: dict[str, Any] | None = Field(default_factory=dict)
    latest_action_name: str | None = None


class ActionCall(BaseModel):
    model_config = ConfigDict(extra="allow")

    next_action: Annotated[str, Field(min_length=1, max_length=200)]
    sender_id: ShortText
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


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its definitions written in place, for a route that
    reads its body itself (see routers/webhook.py) but still documents it."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(definitions[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved
