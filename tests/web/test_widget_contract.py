"""The widget's side of the chat contract, against scripted responses (fake_chat.py).

What the widget must do with each answer the server may give: keep the token it is
issued and never make one up, give every message a turn id and re-send it on retry,
start afresh once on 403, wait out a 429 without losing what was typed, offer a retry on
503, and announce each new answer once to screen readers.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.web.fake_chat import BAD_CONVERSATION, UNAVAILABLE, FakeChat, Reply, answer, error
from tests.web.servers import Server
from tests.web.widget_steps import ask, open_widget, stored_token

pytestmark = pytest.mark.e2e

TURN_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
QUESTION = "出口信用保险保费能补贴多少?"
ANSWER = "根据第50条:对企业投保出口信用保险的保费给予补贴。责任单位:区商务局、区财政局。"
RATE_LIMITED = "您的提问太频繁了,请在2秒后再试。"








def with_token(context: BrowserContext, token: str) -> None:
    context.add_init_script(f"localStorage.setItem('policybot:sender', {token!r})")


def widget(page: Page, server: Server, chat: FakeChat) -> FakeChat:
    chat.install(page)
    page.goto(server.url)
    open_widget(page)
    return chat


def test_the_server_issues_the_token_and_the_widget_keeps_it(page: Page, web_server: Server) -> None:
    chat = widget(page, web_server, FakeChat([answer("signed.token-1", ANSWER, 11),
                                              answer("signed.token-1", "好的。", 12)]))
    assert chat.histories == []  # nothing to restore: no token yet, and none is made up
    assert stored_token(page) is None
    ask(page, QUESTION)
    expect(page.locator('.msg.bot[data-id="11"]')).to_contain_text("根据第50条")
    first = chat.chats[0]
    assert "sender" not in first and first["message"] == QUESTION
    assert TURN_ID.fullmatch(first["turn_id"])
    assert stored_token(page) == "signed.token-1"
    ask(page, "谢谢")
    expect(page.locator('.msg.bot[data-id="12"]')).to_be_visible()
    second = chat.chats[1]
    assert second["sender"] == "signed.token-1"
    assert TURN_ID.fullmatch(second["turn_id"]) and second["turn_id"] != first["turn_id"]


def test_history_is_posted_and_its_token_replaces_an_old_id(context: BrowserContext, web_server: Server
                                                            ) -> None:
    old_id = "web-0123456789abcdef01234567"
    with_token(context, old_id)
    page = context.new_page()
    chat = FakeChat(history={"sender": "signed.token-2", "turns": [
        {"id": 1, "role": "user", "text": QUESTION, "buttons": [], "custom": None, "rating": None},
        {"id": 2, "role": "bot", "text": ANSWER, "buttons": [], "custom": {"citations": [50]},
         "rating": "up"}]})
    widget(page, web_server, chat)
    expect(page.locator('.msg.bot[data-id="2"]')).to_contain_text("根据第50条")
    expect(page.locator('.msg.bot[data-id="2"]').get_by_role("button", name="有帮助", exact=True)
           ).to_have_attribute("aria-pressed", "true")
    assert chat.histories == [{"sender": old_id}]
    assert stored_token(page) == "signed.token-2"
    # Tokens travel in bodies only: never in an address (access logs keep addresses).
    assert not [u for u in chat.urls if old_id in u or "signed.token-2" in u]
    page.locator('.msg.bot[data-id="2"]').get_by_role("button", name="没有帮助").click()
    expect(page.locator('.msg.bot[data-id="2"]').get_by_role("button", name="没有帮助")
           ).to_have_attribute("aria-pressed", "true")
    assert chat.feedback == [{"sender": "signed.token-2", "message_id": 2, "rating": "down"}]


def test_503_shows_the_detail_and_retry_resends_the_same_turn(page: Page, web_server: Server) -> None:
    chat = widget(page, web_server, FakeChat([error(503, "unavailable", UNAVAILABLE),
                                              answer("signed.token-3", ANSWER, 21)]))
    ask(page, QUESTION)
    alert = page.get_by_role("alert")
    expect(alert).to_have_text(UNAVAILABLE + "重新发送")
    expect(page.get_by_label("输入您的问题")).to_have_value("")  # the message was sent; it waits in the log
    page.get_by_role("button", name="重新发送").click()
    expect(page.locator('.msg.bot[data-id="21"]')).to_be_visible()
    expect(alert).to_have_text("")
    expect(page.get_by_label("输入您的问题")).to_be_focused()
    assert [c["turn_id"] for c in chat.chats] == [chat.chats[0]["turn_id"]] * 2
    assert [c["message"] for c in chat.chats] == [QUESTION, QUESTION]
    expect(page.locator(".msg.user")).to_have_count(1)


def test_a_lost_connection_is_retried_with_the_same_turn(page: Page, web_server: Server) -> None:
    chat = widget(page, web_server, FakeChat([Reply(0, abort=True), answer("signed.token-4", ANSWER, 31)]))
    ask(page, QUESTION)
    expect(page.get_by_role("alert")).to_contain_text("网络连接失败")
    page.get_by_role("button", name="重新发送").click()
    expect(page.locator('.msg.bot[data-id="31"]')).to_be_visible()
    assert chat.chats[0]["turn_id"] == chat.chats[1]["turn_id"]


def test_403_forgets_the_token_and_starts_afresh_once(context: BrowserContext, web_server: Server) -> None:
    with_token(context, "forged.token")
    page = context.new_page()
    chat = widget(page, web_server, FakeChat([error(403, "bad_conversation", BAD_CONVERSATION),
                                              answer("signed.token-5", ANSWER, 41)]))
    ask(page, QUESTION)
    expect(page.locator('.msg.bot[data-id="41"]')).to_be_visible()
    assert chat.chats[0]["sender"] == "forged.token"
    assert "sender" not in chat.chats[1] and chat.chats[1]["message"] == QUESTION
    assert stored_token(page) == "signed.token-5"
    expect(page.get_by_role("alert")).to_have_text("")  # nothing alarming was shown
    expect(page.locator(".msg.user")).to_have_count(1)


def test_a_second_403_is_not_retried_forever(context: BrowserContext, web_server: Server) -> None:
    with_token(context, "forged.token")
    page = context.new_page()
    chat = widget(page, web_server, FakeChat([error(403, "bad_conversation", BAD_CONVERSATION)] * 2))
    ask(page, QUESTION)
    expect(page.get_by_role("alert")).to_contain_text(BAD_CONVERSATION)
    page.wait_for_timeout(300)
    assert len(chat.chats) == 2
    assert stored_token(page) is None


def test_429_keeps_the_text_and_holds_sending_until_retry_after(page: Page, web_server: Server) -> None:
    chat = widget(page, web_server, FakeChat([error(429, "rate_limited", RATE_LIMITED, retry_after=2),
                                              answer("signed.token-6", ANSWER, 51)]))
    ask(page, QUESTION)
    expect(page.get_by_role("alert")).to_have_text(RATE_LIMITED)
    box = page.get_by_label("输入您的问题")
    expect(box).to_have_value(QUESTION)          # not lost
    expect(page.locator(".msg.user")).to_have_count(0)  # the turn did not happen
    send = page.get_by_role("button", name="发送", exact=True)
    expect(send).to_be_disabled()
    expect(page.locator(".wait")).to_contain_text("秒后可以再次发送")
    box.press("Enter")                           # Enter cannot get round the wait
    page.wait_for_timeout(300)
    assert len(chat.chats) == 1
    expect(box).to_have_value(QUESTION)
    expect(send).to_be_enabled(timeout=4000)
    expect(page.get_by_role("alert")).to_have_text("")
    expect(page.locator(".wait")).to_be_hidden()
    box.press("Enter")
    expect(page.locator('.msg.bot[data-id="51"]')).to_be_visible()
    assert [c["message"] for c in chat.chats] == [QUESTION, QUESTION]


def test_429_on_a_quick_reply_gives_the_choices_back(page: Page, web_server: Server) -> None:
    busy = "上一条消息还在处理中,请稍候再发送。"
    chat = widget(page, web_server, FakeChat([error(429, "turn_in_flight", busy, retry_after=1)]))
    choice = page.locator(".greeting").get_by_role("button", name=QUESTION)
    choice.click()
    expect(page.get_by_role("alert")).to_have_text(busy)
    expect(choice).to_be_disabled()
    expect(choice).to_be_enabled(timeout=3000)
    expect(page.get_by_label("输入您的问题")).to_have_value("")  # a choice is not typed text
    assert len(chat.chats) == 1


def test_413_shows_the_detail_and_gives_the_text_back(page: Page, web_server: Server) -> None:
    too_large = "消息过长,请不要超过2000字。"
    widget(page, web_server, FakeChat([error(413, "too_large", too_large)]))
    ask(page, QUESTION)
    expect(page.get_by_role("alert")).to_have_text(too_large)
    expect(page.get_by_label("输入您的问题")).to_have_value(QUESTION)
    expect(page.get_by_role("button", name="发送", exact=True)).to_be_enabled()


def test_each_answer_is_announced_once_and_politely(page: Page, web_server: Server) -> None:
    chat = widget(page, web_server, FakeChat([answer("signed.token-7", ANSWER, 61),
                                              answer("signed.token-7", "请问您属于哪一类?", 62,
                                                     buttons=["小微企业", "个体工商户"])]))
    chat.hold = True
    log = page.get_by_role("log", name="对话记录")
    expect(log).to_have_attribute("aria-live", "off")  # the log itself never speaks
    announcer = page.locator(".vh[role=status]")
    expect(announcer).to_have_attribute("aria-live", "polite")
    ask(page, QUESTION)
    typing = page.locator(".typing")
    expect(typing).to_have_attribute("role", "status")
    expect(typing).to_have_attribute("aria-live", "polite")
    expect(typing).to_have_text("正在查找相关政策…")
    expect(typing).to_be_visible()
    for _ in range(50):  # route handlers run while Playwright waits
        if chat.held:
            break
        page.wait_for_timeout(100)
    chat.respond(chat.held.pop())
    expect(announcer).to_have_text("政策助手:" + ANSWER)
    expect(typing).to_have_text("")
    expect(typing).to_be_hidden()
    chat.hold = False
    ask(page, "我能申请贷款延期还本付息吗?")
    expect(announcer).to_have_text("政策助手:请问您属于哪一类? 可选回答:小微企业、个体工商户")


def test_a_restored_conversation_is_not_read_out(context: BrowserContext, web_server: Server) -> None:
    with_token(context, "signed.token-8")
    page = context.new_page()
    widget(page, web_server, FakeChat(history={"sender": "signed.token-8", "turns": [
        {"id": 1, "role": "user", "text": QUESTION, "buttons": [], "custom": None, "rating": None},
        {"id": 2, "role": "bot", "text": ANSWER, "buttons": [], "custom": None, "rating": None}]}))
    expect(page.locator('.msg.bot[data-id="2"]')).to_be_visible()
    page.wait_for_timeout(200)
    expect(page.locator(".vh[role=status]")).to_have_text("")


def test_a_citation_that_names_its_document_links_into_that_document(page: Page, web_server: Server
                                                                     ) -> None:
    old, new = "《红旗区稳经济措施(2023)》", "《红旗区稳经济措施调整(2024)》"
    sources = [{"doc_id": "hongqi-2023-measures", "measure": 44, "citation": f"{old}第44条"},
               {"doc_id": "hongqi-2024-adjustments", "measure": 3, "citation": f"{new}第3条"},
               {"doc_id": "hongqi-2024-adjustments", "measure": 1, "citation": f"{new}第1条"}]
    text = f"{old}第44条已被{new}第3条取代,现行规定请以{new}第3条为准。"
    widget(page, web_server, FakeChat([Reply(200, {"sender": "signed.token-9", "messages": [
        {"id": 21, "text": text, "buttons": [], "custom": {"citations": [44, 3, 1], "sources": sources}}]})]))
    ask(page, "第44条")
    bubble = page.locator('.msg.bot[data-id="21"]')
    expect(bubble.get_by_role("link", name=f"{old}第44条")).to_have_attribute(
        "href", f"{web_server.url}/measures/44?doc=hongqi-2023-measures")
    expect(bubble.get_by_role("link", name=f"{new}第3条")).to_have_count(2)
    expect(bubble.get_by_role("link", name=f"{new}第3条").first).to_have_attribute(
        "href", f"{web_server.url}/measures/3?doc=hongqi-2024-adjustments")
    # A cited measure the text does not name is listed after it, in its own document.
    expect(bubble.locator(".sources").get_by_role("link")).to_have_text([f"{new}第1条"])
    expect(bubble.locator(".sources").get_by_role("link")).to_have_attribute(
        "href", f"{web_server.url}/measures/1?doc=hongqi-2024-adjustments")
