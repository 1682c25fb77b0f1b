"""Eligibility through the webhook: answer first, facts taken from anything said, the form
asking only what is open, topic changes and side questions inside it, the verdict.

Conversations are played by tests/api/dialogue.py (Rasa's rules, the intent given per
turn); each runs over the fake embedder and, marked slow, over the real model.
"""

from __future__ import annotations

import pytest

from tests.api.conftest import Call, PostWebhook
from tests.api.dialogue import Dialogue

BOTH_LABELS = ["ask_question", "check_eligibility"]


@pytest.fixture
def chat(post_webhook: PostWebhook) -> Dialogue:
    return Dialogue(post_webhook)


@pytest.mark.parametrize("intent", BOTH_LABELS)
def test_a_question_is_answered_before_any_form_question(chat: Dialogue, intent: str) -> None:
    """The issue's first situation: the trade fair was already said, so no question at all."""
    chat.say("我们公司想去德国参加展会,展位费能补贴吗?", intent)
    answer, check = chat.replies[0], chat.replies[-1]
    assert answer["text"].startswith("根据第52条:“") and "区商务局" in answer["text"]
    assert "贵公司是否参加境外国际性展会" not in chat.text
    verdict = check["custom"]["verdict"]
    assert verdict["outcome"] == "met" and any("90%" in b for b in verdict["benefits"])
    assert chat.active_loop is None


@pytest.mark.parametrize("intent", BOTH_LABELS)
def test_answer_then_the_first_open_question_then_the_form(chat: Dialogue, intent: str) -> None:
    chat.say("我能申请贷款延期还本付息吗?", intent)
    assert chat.replies[0]["text"].startswith("根据第44条:“")
    assert "待确认" in chat.replies[1]["text"]
    assert chat.asking == "enterprise_type" and {"小微企业", "个体工商户"} <= set(chat.buttons)
    assert chat.active_loop == "eligibility_form"
    chat.say("我们是小微企业", "inform")
    assert chat.asking == "loan_due_date"
    chat.say("过阵子吧", "inform", 0.6)
    assert "没能识别您的回答" in chat.text and chat.asking == "loan_due_date"
    chat.say("2023年3月10日", "inform")
    assert chat.verdict is not None and chat.verdict["outcome"] == "met"
    assert "已于2023年6月30日到期" in chat.text and "区金融局" in chat.text
    assert chat.active_loop is None


def test_an_explicit_request_goes_straight_to_the_check(chat: Dialogue) -> None:
    chat.say("帮我核对一下我们符不符合第44条的条件", "check_eligibility")
    assert chat.text.startswith("我来按第44条")
    assert chat.citations[0] == 44 and chat.asking == "enterprise_type"


def test_facts_stated_up_front_decide_at_once(chat: Dialogue) -> None:
    chat.say("我们是大型国有企业,贷款去年3月底到期,能延期还本付息吗?", "check_eligibility")
    assert chat.replies[0]["text"].startswith("根据第44条")
    assert chat.verdict is not None and chat.verdict["outcome"] == "not_met"
    assert "不符合第44条" in chat.text and chat.active_loop is None


def test_a_fact_stated_earlier_is_never_asked_again(chat: Dialogue) -> None:
    chat.say("你好,我们是一家小微企业,做批发的", "greet")
    chat.say("贷款延期还本付息能申请吗?", "ask_question")
    assert chat.asking == "loan_due_date"
    assert "借款人是小微企业" in chat.replies[-1]["text"] and "符合" in chat.replies[-1]["text"]
    chat.say("算了", "stop")
    chat.say("我们符合第45条吗?", "check_eligibility")
    # 45 asks for the industry: 批发 said in the first message answers it.
    assert chat.asking == "headcount_2022"


def test_the_reward_a_stated_amount_implies(chat: Dialogue) -> None:
    chat.say("我们外资企业新设项目,不是房地产也不是金融,到位资金300万美元,能拿多少奖励?",
             "check_eligibility")
    assert chat.verdict is not None and chat.verdict["outcome"] == "met"
    assert any("约30万元" in b for b in chat.verdict["benefits"])


@pytest.mark.parametrize("intent", ["check_eligibility", "inform", "ask_question"])
def test_another_check_inside_a_form_replaces_it(chat: Dialogue, intent: str) -> None:
    """The issue's third situation: during 52's form, a loan question is answered."""
    chat.say("展位费能补贴吗?", "ask_question")
    assert chat.asking == "attends_overseas_exhibition"
    chat.say("我能申请贷款延期还本付息吗?", intent)
    assert "没能识别" not in chat.text
    assert chat.replies[0]["text"].startswith("根据第44条")
    assert chat.asking == "enterprise_type" and chat.slots["eligibility_measure"] == 44
    chat.say("个体工商户", "inform")
    assert chat.asking == "loan_due_date"


def test_a_side_question_is_answered_and_the_form_resumes(chat: Dialogue) -> None:
    chat.say("我能申请贷款延期还本付息吗?", "check_eligibility")
    chat.say("这个是哪个部门负责的?", "ask_department")
    assert "区金融局" in chat.text and "我们继续核对第44条的条件" in chat.text
    assert chat.asking == "enterprise_type"


@pytest.mark.parametrize("intent", ["stop", "ask_question", "inform"])
def test_giving_up_and_asking_something_else_in_one_message(chat: Dialogue, intent: str) -> None:
    chat.say("我能申请贷款延期还本付息吗?", "check_eligibility")
    chat.say("算了,我想问问出口信用保险的保费能补贴吗?", intent)
    assert "没能识别" not in chat.text
    assert chat.citations[0] == 50 and chat.slots.get("eligibility_measure") in (50, None)
    assert chat.asking == "annual_export_usd_10k"


def test_moving_on_with_a_question_of_another_kind_ends_the_check(chat: Dialogue) -> None:
    chat.say("我能申请贷款延期还本付息吗?", "check_eligibility")
    chat.say("换个问题,展会补贴找哪个部门?", "ask_department")
    assert "第52条由区商务局" in chat.text and "继续核对" not in chat.text
    assert chat.active_loop is None


def test_leaving_a_check_keeps_the_facts(chat: Dialogue) -> None:
    chat.say("我们是小微企业,贷款延期还本付息能申请吗?", "check_eligibility")
    chat.say("算了", "stop")
    assert "已停止条件核对" in chat.text and chat.active_loop is None
    assert chat.slots["eligibility_measure"] is None
    assert chat.slots["eligibility_facts"]["enterprise_type"] == "小微企业"


def test_an_answer_that_states_other_facts_is_taken(chat: Dialogue) -> None:
    chat.say("我们符合第45条吗?", "check_eligibility")
    assert chat.asking == "industry"
    chat.say("我们有30个员工,没裁员", "inform")
    assert "没能识别" not in chat.text and "已记下" in chat.text
    assert chat.asking == "industry"
    chat.say("餐饮", "inform")
    assert chat.asking == "pays_social_insurance"
    chat.say("社保也交着", "inform")
    assert chat.verdict is not None and chat.verdict["outcome"] == "met"


def test_a_plain_question_labelled_as_an_answer_is_answered(chat: Dialogue) -> None:
    chat.say("我能申请贷款延期还本付息吗?", "check_eligibility")
    chat.say("出口信用保险归哪个部门管?", "inform")
    assert "没能识别" not in chat.text and "第50条" in chat.text


def test_a_short_check_request_checks_the_current_measure(chat: Dialogue) -> None:
    chat.say("第52条", "ask_measure")
    chat.say("我们符合条件吗?", "check_eligibility")
    assert chat.text.startswith("我来按第52条") and chat.asking == "attends_overseas_exhibition"
    # Asked again inside that check, it goes on with the check.
    chat.say("我们符合条件吗?", "check_eligibility")
    assert chat.text.startswith("我们继续核对第52条")


def test_a_measure_without_rules_says_so_when_asked_to_check(call: Call) -> None:
    code, body = call("action_answer_question", "我们符合第59条的条件吗?", slots={},
                      intent=("check_eligibility", 0.9))
    assert code == 200
    assert "没有列出可以逐项核对的申请条件" in body["responses"][-1]["text"]
    assert not any(e["event"] == "active_loop" for e in body["events"])


def test_a_fact_told_after_the_check_decided_rechecks_the_measure(chat: Dialogue) -> None:
    """The check of 第63条 decided in the first turn (自己创业 says who asks); the user then
    states the fact again on its own. It names a topic (创业) but asks nothing: it is about
    the measure under discussion, not a question to search for."""
    chat.say("我想自己创业开个小店,创业担保贷款的利息政府能全额贴息吗?", "ask_question")
    assert chat.citations[0] == 63 and chat.active_loop is None
    chat.say("个人创业者", "inform")
    assert chat.citations[0] == 63
    assert chat.verdict is not None and chat.verdict["outcome"] == "met"



def test_a_measure_named_while_a_number_is_asked_is_a_question(chat: Dialogue) -> None:
    """The check of 第50条 asks for last year's exports in 万美元; "第44条" asks about
    another measure, it does not answer 44 (seen in a production-profile transcript)."""
    chat.say("出口信用保险保费能补贴多少?", "ask_question")
    assert chat.asking == "annual_export_usd_10k"
    chat.say("第44条", "ask_measure")
    assert chat.citations[0] == 44
    assert "可享受" not in chat.text
