"""The chat widget with the real bot: headless chromium -> /api/chat -> Rasa -> action webhook.

Includes the keyboard-only chat flow: open, ask, pick a quick reply, rate, close.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.live import LiveStack
from tests.web.widget_steps import ask as send

pytestmark = pytest.mark.e2e

REPLY_TIMEOUT = 30_000  # ms; Rasa's first answers after start-up are slow


@pytest.fixture
def widget(page: Page, live_stack: LiveStack) -> Page:
    page.goto(live_stack.api_url)
    page.get_by_role("button", name="打开政策咨询对话").click()
    expect(page.locator(".greeting")).to_be_visible()
    return page


def ask(page: Page, text: str) -> Locator:
    """Send a message, wait for the bot's replies to it; the first of them."""
    before = page.locator(".msg.bot").count()
    send(page, text)
    expect(page.locator(".msg.bot").nth(before)).to_be_visible(timeout=REPLY_TIMEOUT)
    expect(page.locator(".typing")).to_be_hidden(timeout=REPLY_TIMEOUT)
    return page.locator(".msg.bot").nth(before)


def test_answer_cites_the_measure_as_a_link_to_its_page(widget: Page, context: BrowserContext,
                                                       live_stack: LiveStack, screenshots: Path) -> None:
    answer = ask(widget, "我们公司想去德国参展,展位费能补贴吗?")
    expect(answer).to_contain_text("区商务局")
    # The trade fair abroad was said: what follows the answer is the verdict, no question.
    expect(widget.locator(".msg.bot").last).to_contain_text("符合第52条")
    expect(widget.locator(".msg.bot").last.locator(".quick button")).to_have_count(0)
    link = answer.get_by_role("link", name="第52条").first
    expect(link).to_have_attribute("href", f"{live_stack.api_url}/measures/52")
    with context.expect_page() as opened:
        link.click()
    measure_page = opened.value
    expect(measure_page.get_by_role("heading", level=1)).to_have_text("第52条")
    widget.screenshot(path=str(screenshots / "widget-live.png"))


def test_an_answer_comes_before_any_form_question(widget: Page, screenshots: Path) -> None:
    """The conversation issue's first point, in the widget: the measure is quoted with
    its departments and validity first; the form's question, with its quick replies,
    follows in a message of its own."""
    answer = ask(widget, "展位费能补贴吗?")
    expect(answer).to_contain_text("根据第52条")
    expect(answer).to_contain_text("区商务局")
    expect(answer.get_by_role("button", name="是", exact=True)).to_have_count(0)
    question = widget.locator(".msg.bot").last
    expect(question).to_contain_text("贵公司是否参加境外国际性展会")
    expect(question.get_by_role("button", name="是", exact=True)).to_be_visible()
    assert widget.locator(".msg.bot").count() == 3  # greeting, answer, question
    widget.screenshot(path=str(screenshots / "widget-answer-first.png"))


def test_eligibility_form_with_quick_replies(widget: Page) -> None:
    ask(widget, "我能申请贷款延期还本付息吗?")
    question = widget.locator(".msg.bot").last
    expect(question).to_contain_text("第44条")
    choice = question.get_by_role("button", name="小微企业", exact=True)
    choice.click()
    expect(widget.locator(".msg.user").last).to_have_text("我:小微企业")
    expect(choice).to_be_disabled()  # a used quick reply cannot be sent twice
    # The question before it says "到期" too (answer first): wait for the next question.
    expect(widget.locator(".msg.bot").last).to_contain_text("您的贷款原定什么时候到期",
                                                            timeout=REPLY_TIMEOUT)
    ask(widget, "2023年3月10日")
    verdict = widget.locator(".msg.bot").last
    expect(verdict).to_contain_text("符合")
    expect(verdict).to_contain_text("区金融局")
    expect(verdict.get_by_role("link", name="第44条").first).to_be_visible()


def test_reload_restores_the_conversation_and_its_rating(widget: Page, live_stack: LiveStack) -> None:
    ask(widget, "出口信用保险归哪个部门管?")
    answer = widget.locator(".msg.bot").last
    expect(answer).to_contain_text("第50条")
    answer.get_by_role("button", name="有帮助", exact=True).click()
    expect(answer.get_by_role("button", name="有帮助", exact=True)).to_have_attribute("aria-pressed", "true")
    token = widget.evaluate("localStorage.getItem('policybot:sender')")  # issued by the server
    turns = httpx.post(f"{live_stack.api_url}/api/chat/history", json={"sender": token}).json()["turns"]
    assert (turns[0]["role"], turns[0]["text"]) == ("user", "出口信用保险归哪个部门管?")
    rated = [t for t in turns if t["rating"]]
    assert [(t["role"], t["rating"]) for t in rated] == [("bot", "up")]
    assert "第50条" in rated[0]["text"]

    texts = widget.locator(".msg:not(.greeting)").all_inner_texts()
    widget.reload()  # the panel was open, so it opens again and asks the server for the turns
    expect(widget.locator(".msg.bot").last).to_contain_text("第50条")
    assert widget.locator(".msg:not(.greeting)").all_inner_texts() == texts
    expect(widget.locator(".msg.bot").last.get_by_role("button", name="有帮助", exact=True)
           ).to_have_attribute("aria-pressed", "true")


def tab_to(page: Page, name: str, backwards: bool = False, limit: int = 40) -> None:
    """Press Tab (or Shift+Tab) until the focused element is called `name`: the way a
    keyboard user gets there, one key at a time."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        focused = page.evaluate("""() => {
            let el = document.activeElement;
            while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
            return el ? (el.getAttribute('aria-label') || el.textContent || '').trim() : '';
        }""")
        if focused == name:
            return
    raise AssertionError(f"{limit} presses of {key} did not reach {name!r}")


def test_keyboard_only_chat(page: Page, live_stack: LiveStack) -> None:
    page.goto(live_stack.api_url)
    tab_to(page, "跳到主要内容")  # the page's first stop
    tab_to(page, "打开政策咨询对话")
    page.keyboard.press("Enter")
    box = page.get_by_label("输入您的问题")
    expect(box).to_be_focused()
    expect(page.locator(".greeting")).to_be_visible()
    page.keyboard.type("我能申请贷款延期还本付息吗?")
    page.keyboard.press("Enter")
    question = page.locator(".msg.bot").nth(2)  # after the greeting and the answer
    expect(question.get_by_role("button", name="小微企业", exact=True)).to_be_enabled(timeout=REPLY_TIMEOUT)
    tab_to(page, "小微企业", backwards=True)  # back from the input into the newest question
    page.keyboard.press("Enter")
    expect(page.locator(".msg.user").last).to_have_text("我:小微企业")
    expect(page.locator(".msg.bot")).to_have_count(4, timeout=REPLY_TIMEOUT)
    rated = page.locator(".msg.bot:has(.rate)").last
    expect(rated).to_be_visible()
    expect(box).to_be_focused()  # a used quick reply hands focus to the input
    tab_to(page, "有帮助", backwards=True)
    page.keyboard.press("Enter")
    expect(rated.get_by_role("button", name="有帮助", exact=True)).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="惠企政策咨询")).to_be_hidden()
    expect(page.get_by_role("button", name="打开政策咨询对话")).to_be_focused()
