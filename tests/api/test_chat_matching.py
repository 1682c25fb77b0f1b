"""Matching in the chat (api/actions/matching.py) through the webhook: the profile
question answered with the groups whichever intent NLU gives it, facts over several
turns, facts added after a list, and "第2个怎么申请?" picking from the list."""

from __future__ import annotations

import pytest

from tests.api.conftest import PostWebhook
from tests.api.dialogue import Dialogue

QUESTION = "我们是一家30人的服务业小微企业,年出口200万美元,有哪些政策可以享受?"


@pytest.fixture
def chat(post_webhook: PostWebhook) -> Dialogue:
    return Dialogue(post_webhook)


def matched(chat: Dialogue) -> dict[str, list[str]]:
    found = next((m.get("custom") or {}).get("match") for m in chat.replies
                 if (m.get("custom") or {}).get("match"))
    assert found, chat.text
    return found


@pytest.mark.parametrize("intent", ["ask_question", "check_eligibility", "inform", "nlu_fallback"])
def test_the_profile_question_gets_the_groups(chat: Dialogue, intent: str) -> None:
    text = chat.say(QUESTION, intent=intent)
    result = matched(chat)
    assert sorted(result["eligible"]) == ["第41条", "第43条", "第50条", "第63条"]
    assert "第45条" in result["possible"] and "第44条" in result["expired"]
    assert "【符合】4条" in text and "【可能符合】" in text and "【已到期】" in text
    assert "小微企业、服务业、30人、200万美元" in text
    assert "争取上级保费全额补贴" in text and "区商务局" in text
    assert "最能帮助确定结果的是:" in text
    assert chat.citations[:4] == [41, 43, 50, 63] or sorted(chat.citations[:4]) == [41, 43, 50, 63]


def test_a_profile_over_several_turns(chat: Dialogue) -> None:
    chat.say("我们是做物流的小微企业", intent="inform")
    chat.say("去年出口了100万美元", intent="inform")
    chat.say("我们能享受哪些政策?")
    result = matched(chat)
    assert {"第41条", "第43条", "第50条", "第63条"} <= set(result["eligible"])


def test_facts_added_after_the_list_match_again(chat: Dialogue) -> None:
    chat.say(QUESTION)
    assert "第45条" not in matched(chat)["eligible"]
    chat.say("我们没有裁员,社保都按时交", intent="inform")
    assert "第45条" in matched(chat)["eligible"]


def test_an_item_of_the_list_is_picked_by_its_number(chat: Dialogue) -> None:
    chat.say(QUESTION)
    chat.say("第3个呢?")
    assert chat.citations[0] == 50, chat.text
    chat.say(QUESTION)
    chat.say("第二条找哪个部门?", intent="ask_department")
    assert "第43条" in chat.text and "区金融局" in chat.text


def test_without_any_fact_the_question_is_answered_as_before(chat: Dialogue) -> None:
    chat.say("有哪些政策可以享受?")
    assert not any((m.get("custom") or {}).get("match") for m in chat.replies)


def test_a_topic_question_is_not_taken_for_matching(chat: Dialogue) -> None:
    chat.say("旅行社招徕外地游客能申请什么奖补?")
    assert not any((m.get("custom") or {}).get("match") for m in chat.replies)
    assert chat.citations[0] == 4
