"""Turns around the eligibility check, through the webhook (tests/api/dialogue.py plays
Rasa's rules): broad questions and picking from the overview, follow-ups that name no
topic, keywords NLU takes for a yes or no, replies in the question's language."""

from __future__ import annotations

import pytest

from api.services import Services
from tests.api.conftest import PostWebhook
from tests.api.dialogue import Dialogue
from tests.fakes import MODEL_ID


@pytest.fixture
def chat(post_webhook: PostWebhook) -> Dialogue:
    return Dialogue(post_webhook)


@pytest.fixture
def real_retrieval(services: Services) -> None:
    """For a turn whose outcome rests on retrieval quality (which measures a broad
    question is about): the fake embedder ranks by hashed bigrams, not meaning."""
    if services.index.embedder.model_id == MODEL_ID:
        pytest.skip("needs the real model's ranking (runs under the slow marker)")


@pytest.mark.usefixtures("real_retrieval")
def test_a_broad_question_gets_an_overview_and_a_follow_up_picks_from_it(chat: Dialogue) -> None:
    chat.say("外贸企业都有哪些扶持?")
    assert "要详细了解哪一条" in chat.text
    assert {50, 52} <= set(chat.citations) and len(chat.citations) >= 3
    assert chat.replies[0]["custom"]["overview"][0]["section"] == "稳定对外贸易"
    offered = list(chat.slots["offered_measures"])
    chat.say("展会那条呢?", "ask_validity")  # whatever NLU takes it for
    assert chat.citations[0] == 52 and chat.replies[0]["text"].startswith("根据第52条")
    chat.slots["offered_measures"] = offered
    chat.say("第二个", "ask_question")
    assert chat.citations[0] == int(offered[1])


@pytest.mark.usefixtures("real_retrieval")
def test_a_pick_that_asks_for_the_department_gets_the_department(chat: Dialogue) -> None:
    chat.say("外贸企业都有哪些扶持?")
    chat.say("保险那条归谁管?", "ask_department")
    assert chat.text.startswith("第50条由区商务局")


@pytest.mark.parametrize(("follow_up", "intent", "says"), [
    ("这个钱找哪个部门申请?", "ask_department", "第58条由区商务局"),
    ("那这个什么时候到期的?", "ask_validity", "第58条:"),
])
def test_a_follow_up_that_names_no_topic_is_about_the_current_measure(
        chat: Dialogue, follow_up: str, intent: str, says: str) -> None:
    chat.say("我们是外资企业,今年用利润增资了500万美元,不涉及房地产和金融,能拿多少奖励?",
             "check_eligibility")
    assert chat.verdict is not None and any("约50万元" in b for b in chat.verdict["benefits"])
    chat.say(follow_up, intent)
    assert chat.text.startswith(says)


def test_a_follow_up_that_names_its_topic_is_searched(chat: Dialogue) -> None:
    chat.say("第44条", "ask_measure")
    chat.say("那出口信用保险归哪个部门管?", "ask_department")
    assert "第50条" in chat.text


@pytest.mark.parametrize("intent", ["deny", "affirm", "nlu_fallback"])
def test_keywords_are_answered_whatever_nlu_takes_them_for(chat: Dialogue, intent: str) -> None:
    chat.say("出口信用保险", intent)
    assert chat.citations[0] == 50 and chat.asking == "annual_export_usd_10k"


def test_a_plain_yes_outside_a_check_asks_what_to_help_with(chat: Dialogue) -> None:
    chat.say("好的", "affirm")
    assert "想了解哪方面的政策" in chat.text and chat.citations == []


def test_the_quote_is_the_part_that_answers(chat: Dialogue) -> None:
    chat.say("政府采购给中小企业预留多少份额?")
    assert "40%以上" in chat.replies[0]["text"]


def test_an_english_conversation_stays_english_through_a_quick_reply(chat: Dialogue) -> None:
    chat.say("Do small-scale VAT taxpayers still pay only half of the six taxes and two fees?")
    assert chat.replies[0]["text"].startswith("According to 第40条")
    assert chat.asking == "taxpayer_type" and chat.slots["language"] == "en"
    chat.say("增值税小规模纳税人", "inform")  # the quick reply's payload is Chinese
    assert "you meet the conditions of 第40条" in chat.text
    chat.say("第40条现在还有效吗?", "ask_validity")
    assert chat.text.startswith("第40条:") and chat.slots["language"] == "zh"


def test_a_short_question_without_a_topic_is_about_the_measure_discussed(chat: Dialogue) -> None:
    chat.say("第51条", "ask_measure")
    chat.say("补多少?", "ask_question")
    assert chat.citations[0] == 51 and "70%" in chat.text


@pytest.mark.usefixtures("real_retrieval")
def test_a_broad_question_no_heading_or_gate_supports_is_not_an_overview(chat: Dialogue) -> None:
    chat.say("开个小饭馆,食品经营许可证要准备哪些材料?")
    assert "要详细了解哪一条" not in chat.text
