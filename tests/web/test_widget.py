"""The chat widget in headless chromium, against `policybot serve` with Rasa down.

What needs answers from the real bot is in test_widget_live.py, the widget's handling of
each response the contract allows in test_widget_contract.py; here: the real server's
error path, the typing indicator, phone width, embedding on another site, and restoring
a stored conversation (written through the real store, under an id of the kind earlier
widgets made, which the server accepts once and answers with its signed token).
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from api.conversations import BotMessage, ConversationStore
from tests.web.a11y import reflow_problems
from tests.web.fake_chat import FakeChat
from tests.web.servers import Server, static_site
from tests.web.widget_steps import ask, open_widget, stored_token

pytestmark = pytest.mark.e2e

QUESTION = "出口信用保险保费能补贴多少?"






def chat_bodies(page: Page) -> list[dict[str, Any]]:
    """What the widget posts to /api/chat, collected as it goes."""
    bodies: list[dict[str, Any]] = []
    page.on("request", lambda r: bodies.append(json.loads(r.post_data or "{}"))
            if r.url.endswith("/api/chat") and r.method == "POST" else None)
    return bodies


def test_rasa_down_shows_a_chinese_message_and_offers_a_retry(page: Page, web_server: Server) -> None:
    sent = chat_bodies(page)
    page.goto(web_server.url)
    open_widget(page)
    expect(page.get_by_label("输入您的问题")).to_be_focused()
    ask(page, QUESTION)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("对话服务暂时不可用,请稍后再试")
    expect(page.locator(".msg.user")).to_have_text(["我:" + QUESTION])
    expect(page.get_by_label("输入您的问题")).to_have_value("")
    expect(page.locator(".typing")).to_be_hidden()
    page.get_by_role("button", name="重新发送").click()
    # The old error went, a new one came.
    expect(alert.get_by_role("button", name="重新发送")).to_have_count(1)
    expect(alert).to_contain_text("对话服务暂时不可用,请稍后再试")
    expect(page.locator(".msg.user")).to_have_count(1)
    # No token was issued, none was made up, and the retry was the same turn.
    assert page.evaluate("localStorage.getItem('policybot:sender')") is None
    assert len(sent) == 2 and "sender" not in sent[0] and sent[0] == sent[1]


def test_typing_indicator_shows_while_the_answer_is_on_its_way(page: Page, web_server: Server) -> None:
    held: list[Route] = []
    page.route("**/api/chat", lambda route: held.append(route))
    page.goto(web_server.url)
    open_widget(page)
    ask(page, QUESTION)
    expect(page.locator(".typing")).to_be_visible()
    expect(page.locator(".typing")).to_contain_text("正在查找相关政策")
    expect(page.get_by_role("button", name="发送", exact=True)).to_be_disabled()
    for _ in range(50):  # route handlers run while Playwright waits
        if held:
            break
        page.wait_for_timeout(100)
    assert len(held) == 1
    held[0].continue_()  # on to the real server (which answers 503)
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator(".typing")).to_be_hidden()
    expect(page.get_by_role("button", name="发送", exact=True)).to_be_enabled()


def test_keyboard_only_use(page: Page, web_server: Server) -> None:
    page.goto(web_server.url)
    launcher = page.get_by_role("button", name="打开政策咨询对话")
    launcher.focus()
    page.keyboard.press("Enter")
    box = page.get_by_label("输入您的问题")
    expect(box).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="发送", exact=True)).to_be_focused()
    # Backwards from the panel's first control is the button that opened it.
    page.get_by_role("button", name="关闭对话").focus()
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name="收起政策咨询对话")).to_be_focused()
    # A quick reply is an ordinary button: Tab to it, Enter sends it.
    page.get_by_role("button", name="出口信用保险保费能补贴多少?").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".msg.user")).to_have_text(["我:出口信用保险保费能补贴多少?"])


def test_escape_closes_the_panel_and_returns_focus(page: Page, web_server: Server) -> None:
    page.goto(web_server.url)
    open_widget(page)
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="惠企政策咨询")).to_be_hidden()
    launcher = page.get_by_role("button", name="打开政策咨询对话")
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")


def test_phone_width_has_no_horizontal_overflow(browser: Browser, web_server: Server, screenshots: Path
                                                ) -> None:
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740},
                                  is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(web_server.url)
        open_widget(page)
        ask(page, "我们公司想去德国参展,展位费能补贴吗?这是一个很长的问题" + "补贴" * 40)
        expect(page.get_by_role("alert")).to_be_visible()
        panel = page.get_by_role("dialog", name="惠企政策咨询").bounding_box()
        assert panel is not None and panel["x"] >= 0 and panel["x"] + panel["width"] <= 360
        assert reflow_problems(page) == []
        page.screenshot(path=str(screenshots / "widget-phone.png"))
    finally:
        context.close()


def test_widget_embedded_on_another_site(context: BrowserContext, web_server: Server, screenshots: Path
                                        ) -> None:
    sender = legacy_id()
    seed(web_server, sender)
    with_sender(context, sender)
    page = context.new_page()
    host_page = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<style>button {{ color: lime !important; background: black; }} div {{ font-size: 40px; }}</style>
</head><body><h1>红旗区人民政府门户网站</h1><p>区政府新闻……</p>
<script src="{web_server.url}/static/widget.js" defer></script></body></html>"""
    with static_site(host_page) as site:
        page.goto(site)
        launcher = page.get_by_role("button", name="打开政策咨询对话")
        # The host page's CSS does not reach into the widget's shadow root.
        assert launcher.evaluate("el => getComputedStyle(el).color") == "rgb(255, 255, 255)"
        open_widget(page)
        expect(page.locator(".greeting")).to_contain_text("您好")
        expect(page.locator(".msg.user")).to_have_count(2)  # history came back cross-origin
        ask(page, QUESTION)
        # The 503 detail was readable across origins (CORS) and is shown word for word.
        expect(page.get_by_role("alert")).to_contain_text("12345")
        page.screenshot(path=str(screenshots / "widget-embedded.png"))


def seed(server: Server, sender: str) -> list[int]:
    """A finished exchange and a pending form question, written through the real store."""
    store = ConversationStore(server.chat_db)
    answer = store.add_exchange(sender, "我们公司想去德国参展,展位费能补贴吗?", [BotMessage(
        "根据第52条:“支持企业参加境外国际性展会……”\n责任单位:区商务局、区财政局、区教体文旅局。",
        [], {"citations": [52, 53], "departments": ["区商务局"]})])
    question = store.add_exchange(sender, "我能申请贷款延期还本付息吗?", [BotMessage(
        "请问您(或您的单位)属于哪一类?",
        [{"title": "小微企业", "payload": "小微企业"}, {"title": "个体工商户", "payload": "个体工商户"}],
        {"citations": [44], "asking": "enterprise_type"})])
    return [answer[0].id, question[0].id]


def legacy_id() -> str:
    """A sender id as widgets made them before the server issued tokens: web-<24 hex>."""
    return "web-" + secrets.token_hex(12)


def with_sender(context: BrowserContext, sender: str) -> None:
    """What an earlier visit left in the browser (set once: init scripts run on every load)."""
    context.add_init_script("if (!localStorage.getItem('policybot:sender')) "
                            f"localStorage.setItem('policybot:sender', {json.dumps(sender)})")




def history(server: Server, token: str) -> list[dict[str, Any]]:
    response = httpx.post(f"{server.url}/api/chat/history", json={"sender": token})
    response.raise_for_status()
    return list(response.json()["turns"])


def test_stored_conversation_is_restored_and_rated(context: BrowserContext, web_server: Server,
                                                   screenshots: Path) -> None:
    sender = legacy_id()
    answer_id, question_id = seed(web_server, sender)
    with_sender(context, sender)
    page = context.new_page()
    page.goto(web_server.url)
    open_widget(page)
    answer = page.locator(f'.msg.bot[data-id="{answer_id}"]')
    expect(answer).to_contain_text("根据第52条")
    # 第N条 in the text is a link; a cited measure the text does not name is listed after it.
    link = answer.get_by_role("link", name="第52条")
    expect(link).to_have_attribute("href", f"{web_server.url}/measures/52")
    expect(link).to_have_attribute("target", "_blank")
    expect(answer.locator(".sources").get_by_role("link", name="第53条")).to_be_visible()
    # Only the newest message's quick replies can still be used.
    question = page.locator(f'.msg.bot[data-id="{question_id}"]')
    expect(question.get_by_role("button", name="小微企业")).to_be_enabled()
    expect(page.locator(".greeting .quick button")).to_have_count(0)

    answer.get_by_role("button", name="有帮助", exact=True).click()
    expect(answer.get_by_role("button", name="有帮助", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(answer.get_by_role("button", name="没有帮助")).to_have_attribute("aria-pressed", "false")
    token = stored_token(page)
    assert token is not None and token != sender  # the old id was swapped for the server's signed token
    assert [t["rating"] for t in history(web_server, token) if t["id"] == answer_id] == ["up"]
    page.screenshot(path=str(screenshots / "widget.png"))

    page.reload()  # the panel was open, so it opens again, restored, rating shown as chosen
    answer = page.locator(f'.msg.bot[data-id="{answer_id}"]')
    expect(answer.get_by_role("button", name="有帮助", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".msg.user")).to_have_count(2)
    assert stored_token(page) == token


def test_every_widget_control_has_a_name(context: BrowserContext, web_server: Server) -> None:
    with_sender(context, "signed.token")
    page = context.new_page()
    FakeChat(history={"sender": "signed.token", "turns": [
        {"id": 1, "role": "user", "text": QUESTION, "buttons": [], "custom": None, "rating": None},
        {"id": 2, "role": "bot", "text": "根据第50条……", "buttons": [], "custom": {"citations": [50, 51]},
         "rating": None},
        {"id": 3, "role": "bot", "text": "请问您属于哪一类?", "custom": None, "rating": None,
         "buttons": [{"title": "小微企业", "payload": "小微企业"}]}]}).install(page)
    page.goto(web_server.url)
    open_widget(page)
    expect(page.locator(".msg.bot")).to_have_count(3)
    unnamed = page.locator("#policybot-widget").evaluate(
        """host => [...host.shadowRoot.querySelectorAll('button, textarea, input, a[href]')]
            .filter(el => !(el.getAttribute('aria-label') || '').trim() && !el.textContent.trim()
                          && !(el.labels && [...el.labels].some(l => l.textContent.trim())))
            .map(el => el.outerHTML)""")
    assert unnamed == []


def test_no_sender_id_is_made_up(page: Page, web_server: Server) -> None:
    """The server issues conversation tokens; a widget that has none asks for no history."""
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(web_server.url)
    open_widget(page)
    expect(page.locator(".greeting .quick button")).to_have_count(3)
    assert page.evaluate("localStorage.getItem('policybot:sender')") is None
    assert not [u for u in requests if "/api/chat" in u]
