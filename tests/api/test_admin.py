"""The /admin routes in-process: disabled without a token, 401 without a valid one, the
session cookie, CSRF, cross-origin refusal, login throttling, uploads and their checks,
publish with progress, versions and rollback (through tests/fake_publishing.py, the
stand-in for api.publishing), the report page and pending bank questions."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import itsdangerous
import pytest
from fastapi.testclient import TestClient

from api import admin_auth
from api.app import create_app
from api.conversations import BotMessage, ConversationStore
from api.services import Services
from tests.api.conftest import ClientFactory, client_factory
from tests.conftest import SOURCE, without_responsible_units
from tests.fake_publishing import MODULE, FakePublishing

TOKEN = "test-admin-token-0123456789abcdef"
ORIGIN = "http://testserver"
DOC = "hongqi-2023-measures"


@pytest.fixture(autouse=True)
def no_login_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(admin_auth, "FAILED_LOGIN_DELAY", 0.0)


@pytest.fixture
def make_client(fake_app_services: Services, tmp_path: Path) -> Iterator[ClientFactory]:
    with client_factory(lambda settings: create_app(fake_app_services, settings),
                        {"var_dir": tmp_path, "conversations_db": tmp_path / "chat.sqlite",
                         "admin_token": TOKEN, "admin_secret_key": "admin-key"}) as make:
        yield make


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient:
    return make_client()


@pytest.fixture(autouse=True)
def without_publishing(monkeypatch: pytest.MonkeyPatch) -> None:
    """No api.publishing unless a test asks for the stand-in (`publishing`)."""
    monkeypatch.setitem(sys.modules, MODULE, None)  # importing it raises ModuleNotFoundError


@pytest.fixture
def publishing(monkeypatch: pytest.MonkeyPatch, without_publishing: None) -> FakePublishing:
    fake = FakePublishing()
    monkeypatch.setitem(sys.modules, MODULE, fake.module())
    return fake


def login(client: TestClient) -> str:
    """Log in through the form; the page's CSRF token."""
    response = client.post("/admin/login", data={"token": TOKEN}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    return csrf_of(client.get("/admin").text)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


BEARER = {"Authorization": f"Bearer {TOKEN}"}


# ---- disabled, 401, tokens -------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/admin"), ("GET", "/admin/login"), ("POST", "/admin/login"), ("GET", "/admin/report"),
    ("POST", "/admin/rollback"), ("GET", "/admin/api/versions"), ("POST", "/admin/api/uploads"),
])
def test_without_a_token_setting_every_admin_route_is_404_and_says_how_to_enable(
        make_client: ClientFactory, tmp_path: Path, method: str, path: str) -> None:
    client = make_client(admin_token="", admin_secret_key="")
    response = client.request(method, path, headers=BEARER, data={"token": ""})
    assert response.status_code == 404
    if path.startswith("/admin/api/"):
        assert response.json()["code"] == "admin_disabled"
        assert "POLICYBOT_ADMIN_TOKEN" in response.json()["detail"]
    else:
        assert "<h1>管理功能未启用</h1>" in response.text and "POLICYBOT_ADMIN_TOKEN" in response.text
    assert not (tmp_path / "secrets" / "admin-session-key").exists()


def test_without_credentials_pages_show_the_login_form_with_401(client: TestClient) -> None:
    for path in ("/admin", "/admin/report"):
        response = client.get(path)
        assert response.status_code == 401
        assert 'action="/admin/login"' in response.text and 'type="password"' in response.text
        assert 'role="alert"' not in response.text  # nothing went wrong yet
    response = client.get("/admin/api/versions")
    assert response.status_code == 401 and response.json()["code"] == "login_required"
    assert response.headers["www-authenticate"] == "Bearer"


def test_wrong_tokens_are_401(client: TestClient, publishing: FakePublishing) -> None:
    for header in (f"Bearer {TOKEN}x", "Bearer ", f"Basic {TOKEN}", TOKEN):
        response = client.get("/admin/api/versions", headers={"Authorization": header})
        assert response.status_code == 401, header
    response = client.post("/admin/login", data={"token": TOKEN[:-1]}, follow_redirects=False)
    assert response.status_code == 401
    assert "口令不正确" in response.text and 'aria-invalid="true"' in response.text
    assert "set-cookie" not in response.headers


def test_the_bearer_token_opens_the_json_api(client: TestClient, publishing: FakePublishing) -> None:
    response = client.get("/admin/api/versions", headers=BEARER)
    assert response.status_code == 200 and response.json()[0]["live"] is True
    # A script needs no CSRF token: nothing a browser sends by itself authenticates it.
    response = client.post("/admin/api/rollback", json={"version": None}, headers=BEARER)
    assert response.status_code == 500 and response.json()["code"] == "rollback_failed"  # no earlier version


def test_wrong_tokens_wait_and_are_limited_per_client(make_client: ClientFactory,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(admin_auth, "FAILED_LOGIN_DELAY", 0.3)
    client = make_client(admin_login_limits="3/minute")
    started = time.perf_counter()
    assert client.post("/admin/login", data={"token": "guess"}).status_code == 401
    assert time.perf_counter() - started >= 0.3
    monkeypatch.setattr(admin_auth, "FAILED_LOGIN_DELAY", 0.0)
    assert client.get("/admin/api/versions", headers={"Authorization": "Bearer guess"}).status_code == 401
    assert client.post("/admin/login", data={"token": "guess"}).status_code == 401
    # Locked out: even the right token is refused until the window has passed.
    response = client.post("/admin/login", data={"token": TOKEN}, follow_redirects=False)
    assert response.status_code == 429 and 0 < int(response.headers["retry-after"]) <= 60
    assert "错误次数过多" in response.text
    assert client.get("/admin/api/versions", headers=BEARER).status_code == 429


# ---- the session cookie ------------------------------------------------------------------------

def test_logging_in_sets_a_strict_httponly_expiring_cookie(make_client: ClientFactory) -> None:
    client = make_client(admin_session_minutes=30)
    response = client.post("/admin/login", data={"token": TOKEN}, follow_redirects=False)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{admin_auth.SESSION_COOKIE}=")
    for flag in ("HttpOnly", "SameSite=strict", "Path=/admin", "Max-Age=1800"):
        assert flag.lower() in cookie.lower(), flag
    page = client.get("/admin")
    assert page.status_code == 200 and "<h1>知识库管理</h1>" in page.text
    assert 'href="/admin/report"' in page.text  # the admin navigation
    assert client.get("/admin/login", follow_redirects=False).headers["location"] == "/admin"


def test_over_https_the_cookie_is_secure(make_client: ClientFactory) -> None:
    client = make_client()
    client.base_url = client.base_url.copy_with(scheme="https")
    response = client.post("/admin/login", data={"token": TOKEN}, follow_redirects=False)
    assert "secure" in response.headers["set-cookie"].lower()


def session_cookie(key: str, token: str, issued: float | None = None) -> str:
    """A cookie as some server would sign it (another key, an old time)."""
    serializer = itsdangerous.URLSafeTimedSerializer(key, salt="policybot.admin-session")
    fingerprint = hmac.new(key.encode(), token.encode(), hashlib.sha256).hexdigest()[:32]
    if issued is None:
        return serializer.dumps({"csrf": "x" * 20, "t": fingerprint})
    original = itsdangerous.timed.TimestampSigner.get_timestamp
    itsdangerous.timed.TimestampSigner.get_timestamp = lambda self: int(issued)  # type: ignore[method-assign]
    try:
        return serializer.dumps({"csrf": "x" * 20, "t": fingerprint})
    finally:
        itsdangerous.timed.TimestampSigner.get_timestamp = original  # type: ignore[method-assign]


def test_forged_expired_and_other_token_sessions_are_refused(make_client: ClientFactory) -> None:
    client = make_client(admin_session_minutes=60)
    name = admin_auth.SESSION_COOKIE
    client.cookies.set(name, session_cookie("admin-key", TOKEN))
    assert client.get("/admin").status_code == 200
    for value in (session_cookie("another-key", TOKEN),                        # not signed here
                  session_cookie("admin-key", TOKEN, time.time() - 61 * 60),   # expired
                  session_cookie("admin-key", "the-previous-token"),           # token changed since
                  "garbage"):
        client.cookies.set(name, value)
        assert client.get("/admin").status_code == 401


def test_logging_out_clears_the_cookie(client: TestClient) -> None:
    csrf = login(client)
    response = client.post("/admin/logout", data={"csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/login"
    assert 'max-age=0' in response.headers["set-cookie"].lower()
    assert client.get("/admin").status_code == 401


# ---- CSRF and origins ------------------------------------------------------------------------

def test_state_changes_need_the_sessions_csrf_token(client: TestClient) -> None:
    csrf = login(client)
    form = {"question": "营业执照怎么注销", "measure": "44"}
    for data, headers in (({}, {}), ({"csrf": "wrong"}, {}), ({}, {"X-CSRF-Token": csrf[:-1]})):
        response = client.post("/admin/questions", data={**form, **data}, headers=headers)
        assert response.status_code == 403 and "页面已过期" in response.text
    response = client.post("/admin/api/questions", json={"question": "营业执照怎么注销", "measure": 44})
    assert response.status_code == 403 and response.json()["code"] == "csrf"
    response = client.post("/admin/questions", data={**form, "csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303
    response = client.post("/admin/api/questions", json={"question": "注销执照", "measure": 44},
                           headers={"X-CSRF-Token": csrf})
    assert response.status_code == 201


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"}, {"Origin": "null"}, {"Origin": "http://testserver.evil.example"},
    {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
    {"Sec-Fetch-Site": "same-origin", "Origin": "http://evil.example"},
])
def test_cross_origin_state_changes_are_refused_even_with_a_valid_session(
        client: TestClient, headers: dict[str, str]) -> None:
    csrf = login(client)
    response = client.post("/admin/questions", data={"csrf": csrf, "question": "问题", "measure": "44"},
                           headers=headers)
    assert response.status_code == 403 and "其他网站" in response.text
    response = client.post("/admin/login", data={"token": TOKEN}, headers=headers, follow_redirects=False)
    assert response.status_code == 403 and "set-cookie" not in response.headers
    response = client.post("/admin/api/rollback", json={}, headers={**BEARER, **headers})
    assert response.status_code == 403 and response.json()["code"] == "cross_origin"


def test_same_origin_browsers_pass(client: TestClient) -> None:
    csrf = login(client)
    headers = {"Origin": ORIGIN, "Sec-Fetch-Site": "same-origin", "X-CSRF-Token": csrf}
    response = client.post("/admin/api/questions", json={"question": "营业执照怎么注销", "measure": 44},
                           headers=headers)
    assert response.status_code == 201


def test_admin_responses_carry_no_cors_and_refuse_framing(client: TestClient,
                                                          make_client: ClientFactory) -> None:
    responses = [client.get("/admin", headers={"Origin": "http://evil.example"}),
                 client.options("/admin/api/uploads", headers={"Origin": "http://evil.example",
                                                               "Access-Control-Request-Method": "POST"}),
                 client.post("/admin/login", data={"token": "x"}),
                 make_client(admin_token="").get("/admin/api/versions")]
    for response in responses:
        assert not any(h.startswith("access-control-") for h in response.headers)
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["cache-control"] == "no-store"
    # The public chat keeps its CORS headers (only they have them).
    chat = client.options("/api/chat", headers={"Origin": "http://evil.example",
                                                "Access-Control-Request-Method": "POST"})
    assert chat.headers.get("access-control-allow-origin") == "*"


# ---- uploads and checks ------------------------------------------------------------------------

def files(*items: tuple[str, bytes]) -> dict[str, Any]:
    return {"files": [{"name": name, "content": base64.b64encode(data).decode()} for name, data in items]}


@pytest.fixture
def bearer_client(client: TestClient) -> TestClient:
    client.headers.update(BEARER)
    return client


def test_an_invalid_document_is_listed_with_its_file_and_line(bearer_client: TestClient,
                                                              without_publishing: None) -> None:
    text, line = without_responsible_units(7)
    response = bearer_client.post("/admin/api/uploads", json=files(("new-doc.txt", text.encode("utf-8"))))
    assert response.status_code == 200
    data = response.json()
    assert data["publishable"] is False and data["diff"] is None
    first = data["problems"][0]
    assert (first["path"], first["line"]) == ("new-doc.txt", line)
    assert "measure 7 has no responsible units" in first["message"]


def test_bad_yaml_and_bad_bytes_are_listed_with_their_lines(bearer_client: TestClient,
                                                            without_publishing: None) -> None:
    response = bearer_client.post("/admin/api/uploads", json=files(
        ("rules.yml", b"measures:\n  44:\n    when: [a\n"), ("doc.meta.yml", b"title: ok\nshort: \xff\n")))
    problems = {(p["path"], p["line"]) for p in response.json()["problems"]}
    assert problems == {("rules.yml", 4), ("doc.meta.yml", 2)}


def test_a_valid_document_without_the_publishing_module_is_checked_but_not_publishable(
        bearer_client: TestClient, without_publishing: None) -> None:
    data = bearer_client.post("/admin/api/uploads", json=files(("hongqi.txt", SOURCE.read_bytes()))).json()
    assert data["problems"] == [] and data["publishable"] is False
    assert bearer_client.post("/admin/api/publish", json={"upload": data["upload"]}).status_code == 501
    assert bearer_client.get("/admin/api/versions").json()["code"] == "publishing_unavailable"


@pytest.mark.parametrize(("name", "content"), [
    ("../escape.txt", "YQ=="), ("sub/dir.txt", "YQ=="), ("notes.md", "YQ=="), (".hidden.txt", "YQ=="),
    ("ok.txt", "not base64!"),
])
def test_unusable_uploads_are_422(bearer_client: TestClient, name: str, content: str, tmp_path: Path) -> None:
    response = bearer_client.post("/admin/api/uploads", json={"files": [{"name": name, "content": content}]})
    assert response.status_code == 422 and response.json()["code"] == "bad_upload"
    assert not (tmp_path / "escape.txt").exists()


def test_uploads_over_two_megabytes_are_413_before_parsing(bearer_client: TestClient) -> None:
    big = files(("big.txt", b"x" * (1_600_000)))
    response = bearer_client.post("/admin/api/uploads", json=big)
    assert response.status_code == 413
    # The public routes keep their own small limits.
    assert bearer_client.post("/api/chat", content=b"x" * 20_000,
                              headers={"content-type": "application/json"}).status_code == 413


# ---- publish, versions, rollback (the stand-in) ------------------------------------------------

def wait_for(client: TestClient, job: str, timeout: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data: dict[str, Any] = client.get(f"/admin/api/jobs/{job}").json()
        if data["state"] != "running":
            return data
        time.sleep(0.05)
    raise AssertionError(f"job {job} still running")


def checked_upload(client: TestClient) -> dict[str, Any]:
    upload = files(("hongqi-2024.txt", SOURCE.read_bytes()))
    data: dict[str, Any] = client.post("/admin/api/uploads", json=upload).json()
    assert data["problems"] == [] and data["publishable"] is True
    return data


def test_publish_reports_progress_then_the_new_version_is_live_and_rolls_back(
        bearer_client: TestClient, publishing: FakePublishing) -> None:
    check = checked_upload(bearer_client)
    assert check["diff"] == "documents changed: hongqi-2024 (75 measures)"
    assert check["live"] == "20261130T080000Z"
    started = bearer_client.post("/admin/api/publish",
                                 json={"upload": check["upload"], "base": check["live"]})
    assert started.status_code == 202 and started.json()["state"] == "running"
    done = wait_for(bearer_client, started.json()["job"])
    assert done["state"] == "done"
    assert done["steps"] == ["validating", "building the index", "training Rasa", "switched"]
    versions = bearer_client.get("/admin/api/versions").json()
    assert [v["live"] for v in versions] == [True, False] and versions[0]["id"] == done["version"]["id"]
    assert versions[0]["origin"] == "网页发布"
    rolled = bearer_client.post("/admin/api/rollback", json={"version": "20261130T080000Z"}).json()
    assert rolled["live"] is True
    assert [v["live"] for v in bearer_client.get("/admin/api/versions").json()] == [False, True]
    assert not publishing.published[0].exists()  # the staged tree is removed afterwards


def test_a_publish_rejected_or_failed_leaves_the_live_version(bearer_client: TestClient,
                                                              publishing: FakePublishing) -> None:
    from knowledge.errors import Problem

    check = checked_upload(bearer_client)
    publishing.reject_next = [Problem("/tmp/x/eligibility/rules.yml", 12, "unknown op 'gte'")]
    job = bearer_client.post("/admin/api/publish", json={"upload": check["upload"]}).json()["job"]
    rejected = wait_for(bearer_client, job)
    assert rejected["state"] == "rejected" and rejected["problems"][0]["line"] == 12
    publishing.fail_next = "Rasa training failed"
    job = bearer_client.post("/admin/api/publish", json={"upload": check["upload"]}).json()["job"]
    failed = wait_for(bearer_client, job)
    assert failed["state"] == "failed" and failed["error"] == "Rasa training failed"
    assert [v["live"] for v in bearer_client.get("/admin/api/versions").json()] == [True]


def test_one_publish_at_a_time_and_only_against_the_version_checked(
        bearer_client: TestClient, publishing: FakePublishing) -> None:
    import threading

    check = checked_upload(bearer_client)
    publishing.gate = threading.Event()
    first = bearer_client.post("/admin/api/publish", json={"upload": check["upload"]}).json()["job"]
    second = bearer_client.post("/admin/api/publish", json={"upload": check["upload"]})
    assert second.status_code == 409 and second.json()["code"] == "publish_running"
    assert bearer_client.post("/admin/api/rollback", json={}).status_code == 409
    publishing.gate.set()
    assert wait_for(bearer_client, first)["state"] == "done"
    stale = bearer_client.post("/admin/api/publish", json={"upload": check["upload"], "base": check["live"]})
    assert stale.status_code == 409 and stale.json()["code"] == "live_changed"
    unknown = bearer_client.post("/admin/api/publish", json={"upload": "A" * 22})
    assert unknown.status_code == 404
    assert bearer_client.get("/admin/api/jobs/nope").status_code == 404
    assert bearer_client.post("/admin/api/rollback", json={"version": "nope"}).status_code == 404


def test_the_dashboard_lists_versions_and_rolls_back_by_form(client: TestClient,
                                                             publishing: FakePublishing) -> None:
    csrf = login(client)
    check = client.post("/admin/api/uploads", json=files(("hongqi-2024.txt", SOURCE.read_bytes())),
                        headers={"X-CSRF-Token": csrf}).json()
    job = client.post("/admin/api/publish", json={"upload": check["upload"]}, headers={"X-CSRF-Token": csrf})
    wait_for(client, job.json()["job"])
    page = client.get("/admin").text
    assert page.count('class="version live"') == 1 and "正在使用" in page
    assert page.count('action="/admin/rollback"') == 1  # only the version not live
    response = client.post("/admin/rollback", data={"csrf": csrf, "version": "20261130T080000Z"},
                           follow_redirects=False)
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "已回滚到知识库版本 20261130T080000Z" in page


def test_without_the_publishing_module_the_dashboard_says_so(client: TestClient,
                                                             without_publishing: None) -> None:
    login(client)
    page = client.get("/admin").text
    assert "尚未包含知识库发布功能" in page and 'id="upload-form"' in page


# ---- the report and pending questions ----------------------------------------------------------

def seed_store(settings_db: Path) -> None:
    store = ConversationStore(settings_db)
    nothing = {"citations": [], "answerable": False}
    store.add_exchange("a", "营业执照怎么注销?", [BotMessage("抱歉……", custom=nothing)])
    store.add_exchange("b", "营业执照怎么注销", [BotMessage("抱歉……", custom=nothing)])
    store.add_exchange("c", "六税两费减半还能享受吗", [BotMessage("根据第20条……", custom={
        "citations": [20], "answerable": True, "confidence": 0.7})])


def test_the_report_page_groups_questions_and_adds_one_to_the_bank(client: TestClient,
                                                                   tmp_path: Path) -> None:
    seed_store(tmp_path / "chat.sqlite")
    csrf = login(client)
    page = client.get("/admin/report").text
    assert "共有3次提问需要关注" in page and "共2组" in page
    assert page.index("六税两费减半还能享受吗") < page.index("营业执照怎么注销")  # newest first
    assert '<span class="tag">未引用措施 2次</span>' in page and "检索把握最低 0.7" in page
    assert 'id="m2" name="measure" type="number" min="1" inputmode="numeric" required\n' \
           '               value=""' in page  # nothing cited: no suggestion
    since = re.search(r'name="since" value="([0-9-]+)"', page)
    assert since is not None
    response = client.post("/admin/questions", data={"csrf": csrf, "since": since.group(1), "group": "2",
                                                     "question": "营业执照怎么注销", "measure": "44"},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].endswith("&done=added#pending")
    page = client.get(response.headers["location"]).text
    assert "已加入待发布题库" in page and "已在待发布题库" in page
    assert (tmp_path / "kb" / "pending" / f"{DOC}.yml").read_text(encoding="utf-8").endswith(
        "44:\n  - 营业执照怎么注销\n")
    data = client.get("/admin/api/report").json()
    assert data["groups"][1]["known"] == {"where": "pending", "measure": f"{DOC}#44"}


@pytest.mark.parametrize(("question", "measure", "status", "message"), [
    ("营业执照怎么注销", "99", 404, "没有第99条措施"),
    ("家电以旧换新有没有补贴?", "2", 422, "该问题属于评测集"),
    ("营业执照怎么注销", "四十四", 422, "请填写措施编号"),
    ("  ", "44", 422, "问题不能为空"),
])
def test_a_question_that_cannot_be_added_is_shown_again_with_the_reason(
        client: TestClient, tmp_path: Path, question: str, measure: str, status: int, message: str) -> None:
    seed_store(tmp_path / "chat.sqlite")
    csrf = login(client)
    response = client.post("/admin/questions", data={"csrf": csrf, "group": "2", "question": question,
                                                     "measure": measure})
    assert response.status_code == status
    assert re.search(r'<p id="e2" class="alert" role="alert">[^<]*' + message, response.text)
    assert 'aria-invalid="true" aria-describedby="e2"' in response.text
    assert not list(tmp_path.glob("kb/pending/*.yml"))


def test_pending_questions_are_listed_and_can_be_removed(client: TestClient, tmp_path: Path) -> None:
    csrf = login(client)
    client.post("/admin/api/questions", json={"question": "营业执照怎么注销", "measure": 44},
                headers={"X-CSRF-Token": csrf})
    assert client.get("/admin/api/questions").json() == [
        {"doc_id": DOC, "measure": 44, "question": "营业执照怎么注销"}]
    page = client.get("/admin").text
    assert "“营业执照怎么注销”" in page and 'href="/measures/44?doc=hongqi-2023-measures"' in page
    response = client.post("/admin/questions/remove", data={
        "csrf": csrf, "doc_id": DOC, "measure": "44", "question": "营业执照怎么注销", "back": "report"},
        follow_redirects=False)
    assert response.headers["location"] == "/admin/report?done=removed#pending"
    assert client.get("/admin/api/questions").json() == []


def test_json_question_errors(bearer_client: TestClient) -> None:
    response = bearer_client.post("/admin/api/questions", json={"question": "问题", "measure": 99})
    assert response.status_code == 404 and response.json()["detail"] == f"文件 {DOC} 中没有第99条措施。"
    response = bearer_client.post("/admin/api/questions",
                                  json={"question": "问题", "measure": 4, "doc_id": "x"})
    assert response.status_code == 404 and "没有编号为 x 的文件" in response.json()["detail"]

