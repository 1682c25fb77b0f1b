"""Accessibility of every page and widget state (issue 18), in headless chromium.

- axe-core with every rule on (tests/web/a11y.py) in each state: widget closed, open,
  with an answer, with an eligibility question and its quick replies, after a 503, while
  rate-limited (429); console empty, with results, with the detail open, with filters;
  a measure page; the 404 page. Any violation fails and is listed rule by rule.
- Reflow at 320 CSS px and at 200% zoom (1280x860 at 200% is 640x430 CSS px): no
  sideways scrolling, no control off screen; screenshots in var/screenshots/.
- Contrast of what axe does not measure: badge and chip colours, control edges (3:1).
- A skip link on every page, and a visible focus ring on every Tab stop.

The answer and quick-reply states need the real bot (`live_stack`); the 503 state is the
real server with Rasa down; the 429 state is scripted (fake_chat.py), as the contract
gives it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.live import LiveStack
from tests.web.a11y import assert_no_axe_violations, contrast_ratios, reflow_problems
from tests.web.fake_chat import FakeChat, answer, error
from tests.web.servers import Server
from tests.web.widget_steps import ask, open_widget

pytestmark = pytest.mark.e2e

REPLY_TIMEOUT = 30_000
LONG_ANSWER = ("根据第52条:“支持企业参加境外国际性展会,对企业参加境外展会的展位费给予补贴……”"
               "责任单位:区商务局、区财政局、区教体文旅局。该措施目前仍在有效期内。"
               "https://www.example.gov.cn/zhengce/hongqi/2023/measures/52/very/long/address/without/spaces")






def console_ready(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("body")).to_have_attribute("data-ready", "1")


# ---- axe-core in every state -----------------------------------------------------------

def test_widget_closed_and_open(page: Page, web_server: Server) -> None:
    page.goto(web_server.url)
    expect(page.get_by_role("button", name="打开政策咨询对话")).to_be_visible()
    assert_no_axe_violations(page, "demo page, widget closed")
    open_widget(page)
    assert_no_axe_violations(page, "widget open")


def test_widget_after_a_503(page: Page, web_server: Server) -> None:
    page.goto(web_server.url)
    open_widget(page)
    ask(page, "出口信用保险保费能补贴多少?")
    expect(page.get_by_role("button", name="重新发送")).to_be_visible()
    assert_no_axe_violations(page, "widget, service unavailable (503) with retry")


def test_widget_rate_limited(page: Page, web_server: Server) -> None:
    FakeChat([error(429, "rate_limited", "您的提问太频繁了,请在30秒后再试。", retry_after=30)]).install(page)
    page.goto(web_server.url)
    open_widget(page)
    ask(page, "出口信用保险保费能补贴多少?")
    expect(page.get_by_role("alert")).to_contain_text("您的提问太频繁了")
    expect(page.locator(".wait")).to_be_visible()
    assert_no_axe_violations(page, "widget, rate-limited (429) with countdown")


@pytest.fixture
def live_widget(page: Page, live_stack: LiveStack) -> Page:
    page.goto(live_stack.api_url)
    open_widget(page)
    return page


def test_widget_with_an_answer(live_widget: Page) -> None:
    ask(live_widget, "我们公司想去德国参展,展位费能补贴吗?")
    answer_bubble = live_widget.locator(".msg.bot").nth(1)
    expect(answer_bubble.locator(".rate")).to_be_visible(timeout=REPLY_TIMEOUT)
    assert_no_axe_violations(live_widget, "widget with an answer")


def test_widget_with_an_eligibility_question(live_widget: Page) -> None:
    ask(live_widget, "我能申请贷款延期还本付息吗?")
    # Answer first: the measure's answer, then the check's question with its quick replies.
    question = live_widget.locator(".msg.bot").last
    expect(question.get_by_role("button", name="小微企业", exact=True)).to_be_enabled(timeout=REPLY_TIMEOUT)
    assert_no_axe_violations(live_widget, "widget with an eligibility question and quick replies")


def test_console_states(page: Page, web_server: Server) -> None:
    console_ready(page, f"{web_server.url}/operator")
    assert_no_axe_violations(page, "console, empty")
    page.get_by_label("来电问题或关键词").fill("出口信用保险保费补贴")
    page.get_by_label("来电问题或关键词").press("Enter")
    expect(page.get_by_role("listbox", name="检索结果").get_by_role("option").first).to_be_visible()
    assert_no_axe_violations(page, "console with results")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#detail h2")).to_be_visible()
    assert_no_axe_violations(page, "console with the detail open")
    page.get_by_label("责任单位").select_option("区商务局")
    page.get_by_label("章节").select_option(label="五、着力稳定外资外贸")
    page.get_by_label("只看有效措施").check()
    expect(page.locator("#status")).to_contain_text("找到")
    assert_no_axe_violations(page, "console with filters")


def test_console_listing_by_department(page: Page, web_server: Server) -> None:
    console_ready(page, f"{web_server.url}/operator?department=区税务局")
    expect(page.get_by_role("listbox", name="检索结果").get_by_role("option")).to_have_count(2)
    assert_no_axe_violations(page, "console, one department's measures")


@pytest.mark.parametrize("path", ["/measures/52", "/measures/44", "/measures/999"])
def test_measure_and_404_pages(page: Page, web_server: Server, path: str) -> None:
    page.goto(web_server.url + path)
    assert_no_axe_violations(page, path)


# ---- skip link and focus ----------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/operator", "/measures/52", "/measures/0"])
def test_skip_link_is_the_first_stop_and_reaches_main(page: Page, web_server: Server, path: str) -> None:
    page.goto(web_server.url + path)
    skip = page.get_by_role("link", name="跳到主要内容")
    first = page.evaluate("document.querySelector('a[href], button, input, select, textarea, [tabindex]')"
                          ".textContent")
    assert first == "跳到主要内容"
    if path == "/operator":
        # The console puts the cursor in its search box; the skip link is one stop before
        # each link of the navigation.
        expect(page.locator("body")).to_have_attribute("data-ready", "1")
        expect(page.get_by_label("来电问题或关键词")).to_be_focused()
        for _ in range(1 + page.get_by_role("navigation", name="主导航").get_by_role("link").count()):
            page.keyboard.press("Shift+Tab")
    else:
        page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["width"] > 0  # shown while focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


_FOCUSED = """() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  const s = getComputedStyle(el);
  const ring = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  return [el.outerHTML.slice(0, 90), ring];
}"""


def tab_stops(page: Page, count: int) -> list[tuple[str, bool]]:
    stops = []
    for _ in range(count):
        page.keyboard.press("Tab")
        html, ring = page.evaluate(_FOCUSED)
        stops.append((str(html), bool(ring)))
    return stops


def test_every_tab_stop_shows_a_focus_ring(page: Page, web_server: Server) -> None:
    FakeChat(history={"sender": "signed.token", "turns": [
        {"id": 1, "role": "user", "text": "问题", "buttons": [], "custom": None, "rating": None},
        {"id": 2, "role": "bot", "text": "根据第50条……", "buttons": [], "custom": {"citations": [50, 51]},
         "rating": None},
        {"id": 3, "role": "bot", "text": "请问您属于哪一类?", "custom": None, "rating": None,
         "buttons": [{"title": "小微企业", "payload": "小微企业"}]}]}).install(page)
    page.add_init_script("localStorage.setItem('policybot:sender', 'signed.token')")
    page.goto(web_server.url)
    open_widget(page)
    page.locator("body").focus()
    stops = tab_stops(page, 20)
    without = [html for html, ring in stops if not ring and not html.startswith("<body")]
    assert without == [], without
    console_ready(page, f"{web_server.url}/operator?q=出口信用保险")
    page.get_by_role("listbox", name="检索结果").get_by_role("option").first.click()
    expect(page.locator("#detail h2")).to_be_visible()
    page.evaluate("document.activeElement.blur()")
    stops = tab_stops(page, 16)
    without = [html for html, ring in stops if not ring and not html.startswith("<body")]
    assert without == [], without


# ---- contrast the engine does not compute -------------------------------------------------

def test_badges_chips_and_control_edges_have_enough_contrast(page: Page, web_server: Server) -> None:
    checks: list[tuple[str, float]] = []
    page.goto(f"{web_server.url}/measures/44")  # expired
    checks += [(h, v - 4.5) for h, v in contrast_ratios(page, ".badge", "text")]
    page.goto(f"{web_server.url}/measures/52")  # in force
    checks += [(h, v - 4.5) for h, v in contrast_ratios(page, ".badge", "text")]
    console_ready(page, f"{web_server.url}/operator?q=小规模纳税人六税两费减半")
    expect(page.locator(".result .badge.expired").first).to_be_visible()
    checks += [(h, v - 4.5) for h, v in contrast_ratios(page, ".badge", "text")]
    checks += [(h, v - 3) for h, v in contrast_ratios(
        page, ".search-form input[type=search], .search-form select, .badge", "edge")]
    page.get_by_role("listbox", name="检索结果").get_by_role("option").first.click()
    checks += [(h, v - 3) for h, v in contrast_ratios(page, "#detail .secondary", "edge")]
    question = answer("signed.token", "请问您属于哪一类?", 7, buttons=["小微企业", "个体工商户"])
    FakeChat([question]).install(page)
    page.goto(web_server.url)
    open_widget(page)
    ask(page, "我能申请贷款延期还本付息吗?")
    expect(page.locator('.msg.bot[data-id="7"] .quick button').first).to_be_enabled()
    # Used quick replies are disabled, and WCAG exempts inactive controls; these are live.
    chips = '.msg.bot[data-id="7"] .quick button'
    checks += [(h, v - 4.5) for h, v in contrast_ratios(page, chips, "text")]
    checks += [(h, v - 3) for h, v in contrast_ratios(page, f"{chips}, textarea", "edge")]
    assert len(checks) >= 12
    assert [c for c in checks if c[1] < 0] == []


def test_rating_buttons_have_visible_edges(page: Page, web_server: Server) -> None:
    FakeChat([answer("signed.token", "根据第50条……", 8)]).install(page)
    page.goto(web_server.url)
    open_widget(page)
    ask(page, "出口信用保险保费能补贴多少?")
    expect(page.locator('.msg.bot[data-id="8"] .rate')).to_be_visible()
    ratios = contrast_ratios(page, ".rate button", "edge") + contrast_ratios(page, ".rate button", "text")
    assert len(ratios) == 4 and min(v for _, v in ratios) >= 3, ratios


# ---- reflow: 320 px and 200% zoom ---------------------------------------------------------

# name: (CSS width, CSS height, device pixels per CSS pixel)
VIEWS = {"320px": (320, 640, 1), "zoom200": (640, 430, 2)}


@pytest.fixture(params=list(VIEWS))
def narrow(request: pytest.FixtureRequest, browser: Browser) -> Iterator[tuple[str, BrowserContext]]:
    width, height, scale = VIEWS[request.param]
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height},
                                  device_scale_factor=scale)
    context.set_default_timeout(10_000)
    yield request.param, context
    context.close()


def test_widget_reflows(narrow: tuple[str, BrowserContext], web_server: Server, screenshots: Path) -> None:
    view, context = narrow
    page = context.new_page()
    FakeChat([answer("signed.token", LONG_ANSWER, 5, citations=[52, 53]),
              answer("signed.token", "请问您(或您的单位)属于哪一类?", 6,
                     buttons=["小微企业", "个体工商户", "小微企业主", "其他类型的企业或组织"]),
              error(429, "rate_limited", "您的提问太频繁了,请在30秒后再试。", retry_after=30)]).install(page)
    page.goto(web_server.url)
    assert reflow_problems(page) == []
    open_widget(page)
    ask(page, "我们公司想去德国参展,展位费能补贴吗?" + "补贴" * 30)
    expect(page.locator('.msg.bot[data-id="5"]')).to_be_visible()
    ask(page, "我能申请贷款延期还本付息吗?")
    expect(page.locator('.msg.bot[data-id="6"]')).to_be_visible()
    ask(page, "还有别的吗?")
    expect(page.locator(".wait")).to_be_visible()
    assert reflow_problems(page) == []
    # The controls of the panel are all on screen, not pushed below or beside it.
    height = VIEWS[view][1]
    for name in ("关闭对话", "发送"):
        box = page.get_by_role("button", name=name, exact=True).bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, name
    box = page.get_by_label("输入您的问题").bounding_box()
    assert box is not None and box["y"] + box["height"] <= height
    page.screenshot(path=str(screenshots / f"widget-{view}.png"))
    assert_no_axe_violations(page, f"widget at {view}")


@pytest.mark.parametrize("path", ["/operator?q=出口信用保险保费补贴", "/measures/52", "/measures/abc"])
def test_pages_reflow(narrow: tuple[str, BrowserContext], web_server: Server, screenshots: Path,
                      path: str) -> None:
    view, context = narrow
    page = context.new_page()
    page.goto(web_server.url + path)
    name = "measure" if path == "/measures/52" else "404" if path == "/measures/abc" else "console"
    if name == "console":
        options = page.get_by_role("listbox", name="检索结果").get_by_role("option")
        options.first.click()
        expect(page.locator("#detail h2")).to_be_visible()
    assert reflow_problems(page) == []
    page.screenshot(path=str(screenshots / f"{name}-{view}.png"), full_page=True)
