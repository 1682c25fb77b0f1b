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
    SUPERSEDED = "superseded"


class Successor(BaseModel):
    """What replaced a superseded measure: a measure of a later document, or (number None)
    that whole document. Carries its citation so every reader can point at it without
    the catalog."""

    doc_id: str
    number: int | None = None
    citation: str
    since: dt.date


class Validity(BaseModel):
    """Whether a measure applies on a given day, and why."""

    status: ValidityStatus
    as_of: dt.date
    end_date: dt.date | None = None
    start_date: dt.date | None = None
    note: str = ""
    superseded_by: Successor | None = None

    @property
    def in_force(self) -> bool:
        return self.status not in (ValidityStatus.EXPIRED, ValidityStatus.SUPERSEDED)


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
    # Set by the Catalog, which alone knows what else is loaded: the short name (简称) of
    # the measure's document when more than one document is loaded (else empty, so that
    # with one document every citation stays 第N条), and what replaced the measure.
    document_name: str = ""
    superseded_by: Successor | None = None

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
    def key(self) -> str:
        """The measure's identity across documents: "doc_id#number"."""
        return f"{self.doc_id}#{self.number}"

    @property
    def citation(self) -> str:
        """第44条, or 《简称》第44条 when several documents are loaded."""
        number = f"第{self.number}条"
        return f"《{self.document_name}》{number}" if self.document_name else number


class Supersession(BaseModel):
    """Measures of an earlier document that a document replaces, as its sidecar declares
    them: old number -> number of the replacing measure in this document, or (measures
    None) the earlier document as a whole. Lines point into the sidecar for problems."""

    doc_id: str
    measures: dict[int, int] | None = None
    line: int = 0
    measure_lines: dict[int, int] = Field(default_factory=dict)


class DocumentInfo(BaseModel):
    doc_id: str
    title: str
    issuer: str
    issue_date: dt.date
    path: str
    # The short name citations use (《简称》第44条); the title when there is no sidecar.
    short_name: str = ""
    supersedes: list[Supersession] = Field(default_factory=list)
    # The sidecar (<stem>.meta.yml) the identity came from, if any, and the line of each
    # of its fields (for problems found later, with the other documents).
    meta_path: str = ""
    meta_lines: dict[str, int] = Field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.short_name or self.title


class Document(BaseModel):
    info: DocumentInfo
    measures: list[Measure]
    checksum: str
