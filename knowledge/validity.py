"""Is a measure in force on a given day? Derived from its dates, never stored."""

from __future__ import annotations

import datetime as dt

from knowledge.formatting import zh_date
from knowledge.models import DateRole, Measure, Validity, ValidityStatus
from knowledge.settings import today


def validity_of(measure: Measure, on: dt.date | None = None) -> Validity:
    """Superseded from the day the replacing document was issued; otherwise expired after
    the last period end or deadline; target years alone end nothing."""
    day = on or today()
    end = measure.end_date
    start = measure.start_date
    successor = measure.superseded_by
    if successor is not None and day >= successor.since:
        return Validity(status=ValidityStatus.SUPERSEDED, as_of=day, end_date=end,
                        start_date=start, superseded_by=successor)
    targets = sorted({d.date.year for d in measure.dates if d.role is DateRole.TARGET_YEAR})
    if end is None:
        note = ""
        if targets and max(targets) < day.year:
            years = "、".join(f"{y}年" for y in targets)
            note = f"文件未规定截止日期;其中的目标任务针对{years}"
        return Validity(status=ValidityStatus.NO_END_DATE, as_of=day, start_date=start, note=note)
    status = ValidityStatus.EXPIRED if day > end else ValidityStatus.IN_FORCE
    return Validity(status=status, as_of=day, end_date=end, start_date=start)


def describe_validity(validity: Validity) -> str:
    """One Chinese sentence for end users."""
    successor = validity.superseded_by
    if validity.status is ValidityStatus.SUPERSEDED and successor is not None:
        if successor.number is None:
            return (f"该措施所在文件已于{zh_date(successor.since)}被{successor.citation}取代,"
                    f"请以新文件为准。")
        return f"该措施已于{zh_date(successor.since)}被{successor.citation}取代,请以新规定为准。"
    if validity.status is ValidityStatus.EXPIRED and validity.end_date:
        return f"该措施执行至{zh_date(validity.end_date)},目前已到期。"
    if validity.status is ValidityStatus.IN_FORCE and validity.end_date:
        return f"该措施执行至{zh_date(validity.end_date)},目前仍在有效期内。"
    text = "文件未规定该措施的截止日期,请以责任单位的最新通知为准。"
    if validity.note:
        text = f"{validity.note};请以责任单位的最新通知为准。"
    return text


def validity_badge(validity: Validity) -> str:
    """The short label on pages and in the console: 有效, 已于Y年M月D日到期 or 已被取代."""
    if validity.status is ValidityStatus.SUPERSEDED:
        return "已被取代"
    if validity.status is ValidityStatus.EXPIRED and validity.end_date:
        return f"已于{zh_date(validity.end_date)}到期"
    return "有效"
