"""Is a measure in force on a given day? Derived from its dates, never stored."""

from __future__ import annotations

import datetime as dt

from knowledge.formatting import zh_date
from knowledge.models import DateRole, Measure, Validity, ValidityStatus
from knowledge.settings import today


def validity_of(measure: Measure, on: dt.date | None = None) -> Validity:
    """Expired after the last period end or deadline; target years alone end nothing."""
    day = on or today()
    end = measure.end_date
    start = measure.start_date
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
    if validity.status is ValidityStatus.EXPIRED and validity.end_date:
        return f"该措施执行至{zh_date(validity.end_date)},目前已到期。"
    if validity.status is ValidityStatus.IN_FORCE and validity.end_date:
        return f"该措施执行至{zh_date(validity.end_date)},目前仍在有效期内。"
    text = "文件未规定该措施的截止日期,请以责任单位的最新通知为准。"
    if validity.note:
        text = f"{validity.note};请以责任单位的最新通知为准。"
    return text


def validity_badge(validity: Validity) -> str:
    """The short label on pages and in the console: 有效, or 已于Y年M月D日到期."""
    if validity.status is ValidityStatus.EXPIRED and validity.end_date:
        return f"已于{zh_date(validity.end_date)}到期"
    return "有效"
