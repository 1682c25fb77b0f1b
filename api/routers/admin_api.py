"""The admin's JSON API under /admin/api/: what the pages' script calls (upload and check,
publish and follow its progress) and what scripts call with `Authorization: Bearer
<token>` (also versions, rollback, the report, pending bank questions).

An upload is checked in two steps: each file on its own (api/admin_uploads.py: the
uploaded name and line of every problem), then, with api.publishing, the knowledge tree
the files make with the live version (stage, validate, diff). A publish stages the same
files again and runs as a job (api/admin_jobs.py) the page polls; it is refused when the
live version changed since the check, so what was compared is what gets published.
"""

from __future__ import annotations

import base64
import binascii
import shutil
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api import admin_views as views
from api.admin_access import (
    PREFIX,
    AdminRefused,
    Caller,
    admin_state,
    live_version_id,
    pending_entries,
    publishing,
    report_for,
    report_since,
    require_publishing,
    rollback_to,
)
from api.admin_jobs import JobRejected, PublishBusy
from api.admin_uploads import MAX_FILES, Upload, UploadRejected, precheck
from api.bank_additions import add_question, pending
from api.deps import ServicesDep
from knowledge.errors import DocumentInvalid, KnowledgeError

router = APIRouter(prefix=PREFIX + "/api", include_in_schema=False)


class UploadedFile(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    content: str = Field(description="The file's bytes, base64-encoded.")


class UploadRequest(BaseModel):
    files: list[UploadedFile] = Field(min_length=1, max_length=MAX_FILES)


class PublishRequest(BaseModel):
    upload: str = Field(pattern=r"^[A-Za-z0-9_-]{16,64}$")
    base: str | None = Field(default=None, max_length=200,
                             description="The live version the check was made against.")


class RollbackRequest(BaseModel):
    version: str | None = Field(default=None, max_length=200)


class QuestionRequest(BaseModel):
    question: str = Field(max_length=1000)
    measure: int = Field(ge=1, le=100000)
    doc_id: str | None = Field(default=None, max_length=200)


def _decoded(files: list[UploadedFile]) -> list[tuple[str, bytes]]:
    out = []
    for f in files:
        try:
            out.append((f.name, base64.b64decode(f.content, validate=True)))
        except (binascii.Error, ValueError) as exc:
            raise AdminRefused(422, "bad_upload", f"文件“{f.name[:60]}”的内容无法读取。") from exc
    return out


@router.post("/uploads")
def check_upload(request: Request, body: UploadRequest, session: Caller) -> JSONResponse:
    """Keep the files, check each on its own, then (with api.publishing) the whole tree
    they make with the live version, and its diff against the live version."""
    state = admin_state(request)
    try:
        upload = state.uploads.save(_decoded(body.files))
    except UploadRejected as exc:
        raise AdminRefused(422, "bad_upload", str(exc)) from exc
    problems = [views.problem_view(p) for p in precheck(upload)]
    module = publishing()
    diff_text, changes, live = None, None, None
    if module is not None and not problems:
        live = live_version_id(module)
        roots = [upload.folder]
        try:
            tree: Path = module.stage(upload.files)
        except module.PublishRejected as exc:
            problems = [views.problem_view(p, roots) for p in exc.problems]
            return _checked(upload, problems, publishable=False)
        try:
            problems = [views.problem_view(p, [tree, *roots]) for p in module.validate(tree)]
            if not problems:
                found = module.diff(tree)
                diff_text, changes = found.to_text(), found.to_json()
        finally:
            shutil.rmtree(tree, ignore_errors=True)
    return _checked(upload, problems, module is not None and not problems, diff_text, changes, live)


def _checked(upload: Upload, problems: list[dict[str, Any]], publishable: bool, diff: str | None = None,
             changes: Any = None, live: str | None = None) -> JSONResponse:
    return JSONResponse({"upload": upload.id, "files": [p.name for p in upload.files], "problems": problems,
                         "diff": diff, "changes": changes, "live": live, "publishable": publishable})


@router.post("/publish", status_code=202)
def start_publish(request: Request, body: PublishRequest, session: Caller) -> JSONResponse:
    state = admin_state(request)
    module = require_publishing()
    upload = state.uploads.get(body.upload)
    if upload is None:
        raise AdminRefused(404, "unknown_upload", views.UPLOAD_NOT_FOUND)
    if body.base is not None and body.base != live_version_id(module):
        raise AdminRefused(409, "live_changed", views.LIVE_CHANGED)

    def rejected(exc: Exception, roots: list[Path]) -> JobRejected:
        return JobRejected([views.problem_view(p, roots) for p in getattr(exc, "problems", [])])

    def work(progress: Any) -> dict[str, Any]:
        # Staged again: the live version may have changed since the check (then the
        # base check above refused), and staged trees are not kept between requests.
        try:
            tree: Path = module.stage(upload.files)
        except module.PublishRejected as exc:
            raise rejected(exc, [upload.folder]) from exc
        try:
            info = module.publish(tree, origin="admin", progress=progress)
        except module.PublishRejected as exc:
            raise rejected(exc, [tree, upload.folder]) from exc
        finally:
            shutil.rmtree(tree, ignore_errors=True)
        return views.version_view(info)

    try:
        job = state.jobs.start(work)
    except PublishBusy as exc:
        raise AdminRefused(409, "publish_running", views.PUBLISH_BUSY, {"Location": f"jobs/{exc.running}"}
                           ) from exc
    return JSONResponse(job.to_json(), status_code=202)


@router.get("/jobs/{job_id}")
def job_state(request: Request, job_id: str, session: Caller) -> JSONResponse:
    job = admin_state(request).jobs.get(job_id)
    if job is None:
        raise AdminRefused(404, "unknown_job", "没有这个发布任务(只保留最近的任务记录),请查看版本列表。")
    return JSONResponse(job.to_json())


@router.get("/versions")
def list_versions(session: Caller) -> JSONResponse:
    module = require_publishing()
    return JSONResponse([views.version_view(v) for v in module.versions()])


@router.post("/rollback")
def rollback(request: Request, body: RollbackRequest, session: Caller) -> JSONResponse:
    return JSONResponse(views.version_view(rollback_to(request, body.version)))


@router.get("/report")
def report_json(request: Request, session: Caller, services: ServicesDep, since: str | None = None
                ) -> JSONResponse:
    report = report_for(request, services, report_since(since)[0])
    return JSONResponse(report.to_json())


@router.get("/questions")
def pending_questions(request: Request, session: Caller) -> JSONResponse:
    entries, error = pending_entries(admin_state(request).settings)
    if error:
        raise AdminRefused(500, "pending_invalid", error)
    return JSONResponse(entries)


@router.post("/questions", status_code=201)
def add_question_json(request: Request, body: QuestionRequest, session: Caller, services: ServicesDep
                      ) -> JSONResponse:
    try:
        entry = add_question(services.settings, pending(admin_state(request).settings), services.catalog,
                             body.question, body.measure, body.doc_id)
    except DocumentInvalid as exc:
        raise AdminRefused(500, "pending_invalid", str(exc)) from exc
    except KnowledgeError as exc:
        status, message = views.question_error(exc)
        raise AdminRefused(status, "question_rejected", message) from exc
    return JSONResponse(views.pending_view(entry), status_code=201)
