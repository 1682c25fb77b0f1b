"""The policy-matching page (/match): server-rendered form and groups, in-place updates
by match.js in a real browser, keyboard use, the profile kept in the browser only, axe."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect

from api.app import create_app
from api.services import Services
from knowledge.catalog import Catalog
from tests.api.conftest import settings_for_tests
from tests.conftest import PinToday
from tests.fakes import fake_services
from tests.live import TODAY
from tests.web.a11y import assert_no_axe_violations, reflow_problems
from tests.web.servers import Server
from tests.web.widget_steps import open_widget

SAYS = "我们是一家30人的服务业小微企业,年出口200万美元"


@pytest.fixture(scope="module")
def fake_app_services(catalog: Catalog) -> Services:
    return fake_services(catalog, settings_for_tests())


@pytest.fixture(scope="module")
def client(fake_app_services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(fake_app_services)) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def pinned_today(today: PinToday) -> None:
    today(TODAY)


def group(html: str, name: str) -> list[str]:
    section = re.search(rf'<section class="group group-{name}".*?</section>', html, re.S)
    assert section is not None, name
    return re.findall(r'<a href="/measures/\d+">(第\d+条)</a>', section.group(0))


def test_the_empty_page_asks_the_most_decisive_questions_first(client: TestClient) -> None:
    page = client.get("/match").text
    assert '<a href="/match" aria-current="page">政策匹配</a>' in page
    asking = re.search(r'<fieldset class="asking">(.*?)</fieldset>', page, re.S)
    assert asking is not None
    assert len(re.findall(r"<label ", asking.group(1))) == 4
    assert group(page, "eligible") == []
    assert 'role="status"' in page and "匹配结果:" not in page


def test_a_sentence_fills_the_profile_and_the_groups(client: TestClient) -> None:
    response = client.post("/match", data={"says": SAYS})
    assert response.status_code == 200
    page = response.text
    assert sorted(group(page, "eligible")) == ["第41条", "第43条", "第50条", "第63条"]
    assert "第45条" in group(page, "possible") and "第44条" in group(page, "expired")
    given = re.search(r'<fieldset class="given">(.*?)</fieldset>', page, re.S)
    assert given is not None
    assert '<option value="小微企业" selected>' in given.group(1)
    assert 'name="annual_export_usd_10k" value="200"' in given.group(1)
    assert "匹配结果:符合4条" in page


def test_an_answer_that_does_not_read_is_shown_with_its_hint(client: TestClient) -> None:
    response = client.post("/match", data={"headcount_2022": "很多", "x_unknown": "1"})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text
    assert '<p class="field-error" id="e-headcount_2022">请输入整数,例如 25</p>' in response.text
    assert "x_unknown" not in response.text
    too_long = client.post("/match", data={"enterprise_type": "小" * 200})
    assert too_long.status_code == 422 and "请不超过100个字" in too_long.text


def test_a_reward_is_shown_worked_out(client: TestClient) -> None:
    page = client.post("/match", data={"is_foreign_invested": "是", "foreign_project_form": "增资",
                                       "project_is_real_estate_or_finance": "否",
                                       "investment_usd_10k": "300万美元"}).text
    assert group(page, "eligible")[0] == "第58条"
    assert "按您填写的情况测算:约30万元" in page


def test_posting_the_page_counts_against_the_budget(fake_app_services: Services) -> None:
    services = replace(fake_app_services,
                       settings=settings_for_tests(client_rate_limits="1/minute", throttle_delay=0))
    with TestClient(create_app(services)) as limited:
        assert limited.post("/match", data={"says": SAYS}).status_code == 200
        refused = limited.post("/match", data={"says": SAYS})
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1


# ---- in the browser ------------------------------------------------------------------------

@pytest.mark.e2e
def test_answers_update_the_result_in_place_by_keyboard(page: Page, web_server: Server,
                                                        screenshots: Path) -> None:
    page.goto(f"{web_server.url}/match")
    assert_no_axe_violations(page, "match page, empty")
    page.get_by_label("用一句话介绍贵单位(可选)").fill(SAYS)
    page.get_by_role("button", name="查看匹配结果").click()
    expect(page.get_by_role("status")).to_have_text("匹配结果:符合4条,可能符合18条,已到期4条。")
    eligible = page.locator(".group-eligible .match h3 a")
    expect(eligible).to_have_text(["第41条", "第43条", "第50条", "第63条"])
    # The sentence filled the answers; the next question is answered with the keyboard
    # only, and focus stays on it when the result comes back.
    expect(page.get_by_label("请问您(或您的单位)属于哪一类?")).to_have_value("小微企业")
    question = page.get_by_label("是否参与政府采购工程投标?(是/否)")
    question.focus()
    page.keyboard.press("ArrowDown")  # 未填写 -> 是
    expect(page.locator(".group-eligible .match h3 a")).to_contain_text(["第42条"])
    expect(page.get_by_label("是否参与政府采购工程投标?(是/否)")).to_be_focused()
    assert_no_axe_violations(page, "match page, with results")
    page.screenshot(path=str(screenshots / "match.png"), full_page=True)
    # The profile is kept by this browser only, and comes back after a reload.
    page.reload()
    expect(page.locator(".group-eligible .match h3 a")).to_contain_text(["第42条"])
    page.get_by_role("button", name="清空重填").click()
    expect(page.locator(".group-eligible .match")).to_have_count(0)
    assert page.evaluate("window.localStorage.getItem('policybot-match-profile')") is None


@pytest.mark.e2e
def test_the_page_reflows_at_320_px(browser: Browser, web_server: Server) -> None:
    context = browser.new_context(locale="zh-CN", viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(f"{web_server.url}/match")
    page.get_by_label("用一句话介绍贵单位(可选)").fill(SAYS)
    page.get_by_role("button", name="查看匹配结果").click()
    expect(page.locator(".group-eligible .match")).to_have_count(4)
    assert reflow_problems(page) == []
    context.close()


@pytest.mark.e2e
def test_the_console_and_the_widget_link_to_the_page(page: Page, web_server: Server) -> None:
    page.goto(f"{web_server.url}/operator")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="政策匹配").click()
    expect(page).to_have_url(f"{web_server.url}/match")
    page.goto(web_server.url)
    open_widget(page)
    link = page.get_by_role("link", name="按企业情况匹配政策")
    expect(link).to_have_attribute("href", f"{web_server.url}/match")
    assert_no_axe_violations(page, "widget open, with the matching link")
