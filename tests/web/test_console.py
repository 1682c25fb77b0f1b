"""The hotline operators' console in headless chromium against a real `policybot serve`."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.web.servers import Server

pytestmark = pytest.mark.e2e

QUESTION = "出口信用保险保费补贴"


@pytest.fixture
def console(page: Page, web_server: Server) -> Page:
    page.goto(f"{web_server.url}/operator")
    # Filters are filled from /api/departments and /api/measures before the console is ready.
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    return page


def search(page: Page, text: str) -> list[str]:
    page.get_by_label("来电问题或关键词").fill(text)
    page.get_by_label("来电问题或关键词").press("Enter")
    expect(page.locator("#status")).to_contain_text("条")
    return page.locator(".result .citation").all_inner_texts()


def test_search_ranks_measures_with_highlights(console: Page, screenshots: Path) -> None:
    citations = search(console, QUESTION)
    assert citations[0] == "第50条"
    first = console.locator(".result").first
    expect(first.locator(".where")).to_have_text("五、着力稳定外资外贸 / (十五)稳定对外贸易")
    expect(first.locator(".badge")).to_have_text("有效")
    expect(first.locator(".departments")).to_contain_text("区商务局、区财政局")
    marks = first.locator("mark").all_inner_texts()
    assert "出口信用保险" in marks
    # Every highlight is a stretch of the measure's own text, in place.
    text = first.locator(".result-text").inner_text()
    assert all(m in text for m in marks)
    console.screenshot(path=str(screenshots / "console.png"))


def test_expired_measure_has_dated_badge_and_in_force_filter_drops_it(console: Page) -> None:
    assert search(console, "小规模纳税人六税两费减半")[0] == "第40条"
    expect(console.locator("#result-40 .badge")).to_have_text("已于2024年12月31日到期")
    console.get_by_label("只看有效措施").check()
    expect(console.locator("#result-40")).to_have_count(0)
    assert console.locator(".result .badge.expired").count() == 0
    assert console.locator(".result").count() > 0


def test_department_filter_narrows_results(console: Page, web_server: Server) -> None:
    unfiltered = search(console, "补贴")
    owned = httpx.get(f"{web_server.url}/api/departments").json()["区人社局"]
    assert any(int(c[1:-1]) not in owned for c in unfiltered)
    console.get_by_label("责任单位").select_option("区人社局")
    expect(console).to_have_url(re.compile(r"department=%E5%8C%BA%E4%BA%BA%E7%A4%BE%E5%B1%80"))
    expect(console.locator(".result").first).to_contain_text("区人社局")
    filtered = console.locator(".result .citation").all_inner_texts()
    assert filtered and all(int(c[1:-1]) in owned for c in filtered)
    for item in console.locator(".result .departments").all_inner_texts():
        assert "区人社局" in item


def test_chapter_filter_keeps_one_chapter(console: Page) -> None:
    search(console, "补贴")
    console.get_by_label("章节").select_option(label="五、着力稳定外资外贸")
    expect(console.locator(".result .where").first).to_contain_text("五、着力稳定外资外贸")
    for where in console.locator(".result .where").all_inner_texts():
        assert where.startswith("五、着力稳定外资外贸")


SELECTED = '#results [role="option"][aria-selected="true"]'


def results(page: Page) -> Locator:
    """The result options (the filters' <select>s have options too)."""
    return page.get_by_role("listbox", name="检索结果").get_by_role("option")


def test_results_are_a_listbox_of_options(console: Page) -> None:
    citations = search(console, QUESTION)
    listbox = console.get_by_role("listbox", name="检索结果")
    expect(listbox).to_be_visible()
    options = listbox.get_by_role("option")
    expect(options).to_have_count(len(citations))
    expect(options.first).to_have_attribute("aria-selected", "false")
    # One Tab stop for the whole list; options hold no controls of their own.
    assert console.locator('[role="option"][tabindex="0"]').count() == 1
    assert console.locator('[role="option"] :is(a, button, input, select, textarea)').count() == 0


def test_arrow_keys_move_the_selection_and_enter_opens_detail(console: Page) -> None:
    citations = search(console, QUESTION)
    box = console.get_by_label("来电问题或关键词")
    box.press("ArrowDown")
    expect(console.locator(f"{SELECTED} .citation")).to_have_text(citations[0])
    expect(console.locator(SELECTED)).to_be_focused()
    console.keyboard.press("ArrowDown")
    console.keyboard.press("ArrowDown")
    expect(console.locator(f"{SELECTED} .citation")).to_have_text(citations[2])
    console.keyboard.press("ArrowUp")
    expect(console.locator(f"{SELECTED} .citation")).to_have_text(citations[1])
    expect(console.locator(SELECTED)).to_have_count(1)
    expect(console.locator(SELECTED)).to_have_attribute("tabindex", "0")
    console.keyboard.press("Enter")
    detail = console.locator("#detail")
    expect(detail).to_be_visible()
    expect(detail.locator("h2")).to_have_text(citations[1])
    console.keyboard.press("ArrowUp")
    console.keyboard.press("ArrowUp")  # above the first result: back to the search box
    expect(box).to_be_focused()


def test_detail_view_shows_the_whole_measure(console: Page, web_server: Server) -> None:
    search(console, QUESTION)
    results(console).filter(has_text="第50条").first.click()
    expect(console.locator("#result-50")).to_have_attribute("aria-selected", "true")
    detail = console.locator("#detail")
    expect(detail.locator("h2")).to_have_text("第50条")
    measure = httpx.get(f"{web_server.url}/api/measures/50").json()
    expect(detail.locator(".measure-text")).to_have_text(measure["text"])
    expect(detail.locator("mark").first).to_be_visible()
    expect(detail.get_by_role("link", name="区商务局")).to_have_attribute(
        "href", "/operator?department=%E5%8C%BA%E5%95%86%E5%8A%A1%E5%B1%80")
    expect(detail.get_by_role("link", name="打开措施页面")).to_have_attribute("href", "/measures/50")
    detail.get_by_role("button", name="关闭详情").click()
    expect(detail).to_be_hidden()


def test_copy_reply_puts_a_cited_reply_on_the_clipboard(context: BrowserContext, web_server: Server) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=web_server.url)
    page = context.new_page()
    page.goto(f"{web_server.url}/operator?q={QUESTION}")
    results(page).filter(has_text="第50条").first.click()
    page.locator("#detail").get_by_role("button", name="复制答复").click()
    expect(page.locator("#status")).to_contain_text("已复制第50条的答复")
    reply = page.evaluate("navigator.clipboard.readText()")
    measure = httpx.get(f"{web_server.url}/api/measures/50").json()
    assert reply.startswith("根据《红旗区大力提振市场信心促进经济稳定向好政策措施》第50条")
    assert f"“{measure['text']}”" in reply
    assert "责任单位:区商务局、区财政局。" in reply
    assert reply.rstrip().endswith(measure["validity"]["summary"])


def test_console_link_with_a_department_lists_its_measures(page: Page, web_server: Server) -> None:
    page.goto(f"{web_server.url}/operator?department=区税务局")
    expect(page.get_by_label("责任单位")).to_have_value("区税务局")
    expect(page.locator(".result .citation")).to_have_text(["第20条", "第40条"])


def test_keyboard_only_search_move_open_and_copy(context: BrowserContext, web_server: Server) -> None:
    """The whole hotline flow without a mouse: every step is a key press."""
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=web_server.url)
    page = context.new_page()
    page.goto(f"{web_server.url}/operator")
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    expect(page.get_by_label("来电问题或关键词")).to_be_focused()  # ready to type at once
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text("条")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    second = page.locator(SELECTED)
    expect(second).to_be_focused()
    number = second.get_attribute("data-measure")
    page.keyboard.press("Enter")
    expect(page.locator("#detail h2")).to_have_text(f"第{number}条")
    expect(second).to_be_focused()  # still browsing the list
    page.keyboard.press("Tab")
    copy = page.locator("#detail").get_by_role("button", name="复制答复")
    expect(copy).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text(f"已复制第{number}条的答复")
    assert f"第{number}条" in page.evaluate("navigator.clipboard.readText()")
    page.keyboard.press("Escape")  # out of the detail, back to the chosen result
    expect(page.locator("#detail")).to_be_hidden()
    expect(second).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_label("来电问题或关键词")).to_be_focused()


def test_tab_into_the_results_lands_on_one_option(console: Page) -> None:
    search(console, QUESTION)
    console.get_by_role("button", name="检索").focus()
    console.keyboard.press("Tab")
    first = results(console).first
    expect(first).to_be_focused()
    expect(first).to_have_attribute("aria-selected", "true")


def test_every_console_control_has_a_name(console: Page) -> None:
    search(console, QUESTION)
    results(console).first.click()
    expect(console.locator("#detail")).to_be_visible()
    assert unnamed_controls(console) == []


UNNAMED = """root => [...root.querySelectorAll('button, input, select, textarea, a[href]')].filter(el => {
  const labelled = (el.labels && [...el.labels].some(l => l.textContent.trim()));
  return !(el.getAttribute('aria-label') || '').trim() && !labelled && !el.textContent.trim();
}).map(el => el.outerHTML)"""


def unnamed_controls(page: Page) -> list[str]:
    return page.evaluate(f"({UNNAMED})(document)")
