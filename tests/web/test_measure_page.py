"""The server-rendered measure page (/measures/N), the link target of chat answers and the console."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.web.servers import Server

pytestmark = pytest.mark.e2e


def test_measure_page_shows_the_measure(page: Page, web_server: Server, screenshots: Path) -> None:
    response = page.goto(f"{web_server.url}/measures/52")
    assert response is not None and response.status == 200
    expect(page).to_have_title("第52条 · 政策措施")
    expect(page.get_by_role("heading", level=1)).to_have_text("第52条")
    expect(page.locator(".chapter")).to_have_text("五、着力稳定外资外贸 / (十五)稳定对外贸易")
    measure = httpx.get(f"{web_server.url}/api/measures/52").json()
    expect(page.locator(".measure-text")).to_have_text(measure["text"])
    expect(page.locator(".departments a")).to_have_text(["区商务局", "区财政局", "区教体文旅局"])
    expect(page.locator(".badge")).to_have_text("有效")
    expect(page.get_by_role("link", name="下一条:第53条")).to_have_attribute("href", "/measures/53")
    page.screenshot(path=str(screenshots / "measure.png"), full_page=True)


def test_expired_measure_says_when_it_ended(page: Page, web_server: Server) -> None:
    page.goto(f"{web_server.url}/measures/44")
    expect(page.locator(".badge")).to_have_text("已于2023年6月30日到期")
    expect(page.locator(".facts")).to_contain_text("目前已到期")


def test_department_link_opens_the_console_filtered(page: Page, web_server: Server) -> None:
    page.goto(f"{web_server.url}/measures/40")
    page.get_by_role("link", name="区税务局").click()
    expect(page.get_by_label("责任单位")).to_have_value("区税务局")
    expect(page.locator(".result .citation")).to_have_text(["第20条", "第40条"])


@pytest.mark.parametrize("number", ["0", "76", "999", "abc"])
def test_unknown_measure_is_a_chinese_404_page(page: Page, web_server: Server, number: str) -> None:
    response = page.goto(f"{web_server.url}/measures/{number}")
    assert response is not None and response.status == 404
    assert response.headers["content-type"].startswith("text/html")
    expect(page.get_by_role("heading", level=1)).to_have_text("未找到该措施")
    expect(page.locator("main")).to_contain_text("第1条至第75条")


def test_markup_in_the_address_is_not_rendered(web_server: Server) -> None:
    response = httpx.get(f"{web_server.url}/measures/%3Cimg%20src=x%20onerror=alert(1)%3E")
    assert response.status_code == 404
    assert "<img" not in response.text
    assert "&lt;img src=x" in response.text
