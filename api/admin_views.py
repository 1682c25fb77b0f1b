"""What the admin pages show, in Chinese: versions, report groups, problems, messages.

The routes (api/routers/admin.py) hand these plain dicts to the templates, so the pages
need nothing but names and strings, and the wording lives in one place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from api.report import LOW_CONFIDENCE, NO_CITATION, RATED_DOWN, Group
from knowledge.errors import MeasureNotFound, Problem, UnknownDocument
from knowledge.pending import MAX_QUESTION_CHARS, PendingQuestion, QuestionRejected

DISABLED = "管理功能未启用。"
HOW_TO_ENABLE = ("在运行服务的服务器上设置环境变量 POLICYBOT_ADMIN_TOKEN(一个足够长的随机口令,"
                 "例如 openssl rand -base64 32 的输出),然后重启服务,即可用该口令登录本页面。")
LOGIN_REQUIRED = "请输入管理口令登录。"
BAD_TOKEN = "口令不正确,请重新输入。"
LOCKED_OUT = "口令错误次数过多,请在{seconds}秒后再试。"
CROSS_ORIGIN = "该请求来自其他网站,已被拒绝。"
BAD_CSRF = "页面已过期或请求不完整,请刷新页面后重试。"
PUBLISHING_UNAVAILABLE = "此版本的服务尚未包含知识库发布功能,目前只能检查文件。"
UPLOAD_NOT_FOUND = "找不到这次上传的文件(可能已被更新的上传替换),请重新上传。"
LIVE_CHANGED = "检查之后,正在使用的知识库版本已经改变,请重新检查后再发布。"
PUBLISH_BUSY = "另一个发布任务正在进行,请等它完成后再试。"
NOT_PUBLISHABLE = "文件检查未通过,不能发布。"
UNKNOWN_VERSION = "没有这个知识库版本。"
STORE_UNAVAILABLE = "对话记录暂时无法读取,请稍后再试。"
LIMITS_UNAVAILABLE = "服务暂时不可用,请稍后再试。"

REASON_LABELS = {NO_CITATION: "未引用措施", RATED_DOWN: "用户点踩", LOW_CONFIDENCE: "检索把握低"}
ORIGIN_LABELS = {"seed": "初始知识库", "cli": "命令行发布", "admin": "网页发布"}
DONE_MESSAGES = {
    "published": "已发布知识库版本 {version},现在正在使用。",
    "rolledback": "已回滚到知识库版本 {version},现在正在使用。",
    "added": "已加入待发布题库,下次发布时生效。",
    "removed": "已从待发布题库中移除。",
}


def local_time(moment: dt.datetime | str) -> str:
    """A moment (or its ISO text) as the server's local time, to the minute."""
    if isinstance(moment, str):
        try:
            moment = dt.datetime.fromisoformat(moment)
        except ValueError:
            return str(moment)
    when: dt.datetime = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


def problem_view(problem: Problem, roots: Sequence[Path] = ()) -> dict[str, Any]:
    """A problem with its path relative to the first of roots it is in (the staged tree,
    the upload's folder): the maintainer never saw the server's folders."""
    path = Path(problem.path)
    for root in roots:
        if path.is_absolute() and path.is_relative_to(root):
            path = path.relative_to(root)
            break
    return {"path": str(path), "line": problem.line, "message": problem.message}


def version_view(info: Any) -> dict[str, Any]:
    """api.publishing.VersionInfo, by the attributes its interface names."""
    documents = [{"doc_id": d.get("doc_id"), "title": d.get("title"), "short_name": d.get("short_name"),
                  "measures": d.get("measures")} for d in info.documents]
    return {"id": info.id, "created": local_time(info.created_at), "summary": info.summary,
            "origin": ORIGIN_LABELS.get(info.origin, info.origin), "documents": documents,
            "measure_count": info.measure_count, "live": bool(info.live)}


def pending_view(entry: PendingQuestion) -> dict[str, Any]:
    return {"doc_id": entry.doc_id, "measure": entry.measure, "question": entry.question}


def group_view(group: Group, index: int, several_documents: bool = False) -> dict[str, Any]:
    """One report group for the page; measures are named with their document only when
    several documents are loaded."""
    suggested = group.suggested
    return {
        "index": index,
        "question": group.question,
        "count": group.count,
        "reasons": [(REASON_LABELS[r], n) for r, n in group.reasons.items()],
        "last_asked": local_time(group.last_asked),
        "variants": [{"text": text, "count": n} for text, n in group.variants if text != group.question],
        "cited": [{"number": c.number, "doc_id": c.doc_id, "label": c.label if several_documents else
                   f"第{c.number}条", "count": n} for c, n in group.cited],
        "min_confidence": group.min_confidence,
        "known": None if group.known is None else {
            "where": "待发布题库" if group.known[0] == "pending" else "题库",
            "measure": measure_label(group.known[1], several_documents)},
        # What the answers cited is a starting point, unless users said it was wrong.
        "suggested": suggested.number if suggested and RATED_DOWN not in group.reasons else None,
        "suggested_doc": suggested.doc_id if suggested else None,
    }


def measure_label(key: str, with_document: bool = True) -> str:
    """"doc_id#44" as 第44条, after the document id when asked."""
    doc_id, _, number = key.rpartition("#")
    return f"{doc_id} 第{number}条" if doc_id and with_document else f"第{number}条"


def question_error(exc: Exception) -> tuple[int, str]:
    """(HTTP status, Chinese message) for a question that could not be added."""
    if isinstance(exc, MeasureNotFound):
        where = f"文件 {exc.doc_id} 中" if exc.doc_id else ""
        return 404, f"{where}没有第{exc.number}条措施。"
    if isinstance(exc, UnknownDocument):
        return 404, f"没有编号为 {exc.doc_id} 的文件。"
    if isinstance(exc, QuestionRejected):
        where = measure_label(exc.where) if exc.where else ""
        return 422, {
            "empty": "问题不能为空。",
            "too_long": f"问题不能超过{MAX_QUESTION_CHARS}字。",
            "evaluation_set": "该问题属于评测集,不能加入题库(题库与评测集必须互不重叠)。",
            "in_bank": f"该问题已在题库中(对应{where})。",
            "pending": f"该问题已在待发布题库中(对应{where})。",
        }.get(exc.code, str(exc))
    raise exc
