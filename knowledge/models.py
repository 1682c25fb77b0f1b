"""Structured records of a policy document.

Pydantic models so the same objects serialise to the CLI's JSON, the REST API and
the index manifest without a second schema.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, Field


class Heading(BaseModel):
    """A chapter ("四、支持实体经济发展") or section ("(十三)强化金融支撑保障作用")."""

    number: int
    numeral: str
    title: str


class DateRole(StrEnum):
    PERIOD_START = "period_start"
    PERIOD_END = "period_end"
    DEADLINE = "deadline"
    DUE_BEFORE = "due_before"
    TARGET_YEAR = "target_year"
    REFERENCE_YEAR = "reference_year"


class DateFact(BaseModel):
    """A date found in a measure, with the role it plays there."""

    role: DateRole
    date: dt.date
    text: str


class Amount(BaseModel):
    """A money amount, percentage, rate or count as written in the measure."""

    text: str
    value: float | None = None
    unit: str = ""
    kind: str = "money"
    qualifier: str = ""


class ValidityStatus(StrEnum):
    IN_FORCE = "in_force"
    EXPIRED = "expired"
    NO_END_DATE = "no_end_date"


class Validity(BaseModel):
    """Whether a measure applies on a given day, and why."""

    status: ValidityStatus
    as_of: dt.date
    end_date: dt.date | None = None
    start_date: dt.date | None = None
    note: str = ""

    @property
    def in_force(self) -> bool:
        return self.status is not ValidityStatus.EXPIRED


class Measure(BaseModel):
    doc_id: str
    number: int
    chapter: Heading
    section: Heading
    text: str
    departments: list[str]
    departments_note: str = ""
    dates: list[DateFact] = Field(default_factory=list)
    amounts: list[Amount] = Field(default_factory=list)
    line: int = 0

    @property
    def end_date(self) -> dt.date | None:
        """The last day the measure's own benefit applies, if the text states one."""
        ends = [
            d.date for d in self.dates if d.role in (DateRole.PERIOD_END, DateRole.DEADLINE)
        ]
        return max(ends) if ends else None

    @property
    def start_date(self) -> dt.date | None:
        starts = [d.date for d in self.dates if d.role is DateRole.PERIOD_START]
        return min(starts) if starts else None

    @property
    def citation(self) -> str:
        return f"第{self.number}条"


class DocumentInfo(BaseModel):
    doc_id: str
    title: str
    issuer: str
    issue_date: dt.date
    path: str


class Document(BaseModel):
    info: DocumentInfo
    measures: list[Measure]
    checksum: str
