"""The eligibility form through the webhook: questions asked, answers validated, verdicts."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Call


def _slots(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def _answer(call: Call, text: str, slots: dict[str, Any],
            intent: tuple[str, float] = ("inform", 0.9)) -> tuple[int, dict[str, Any]]:
    """A user turn inside the form as Rasa sends it: the text also fills eligibility_answer."""
    return call("validate_eligibility_form", text, slots={**slots, "eligibility_answer": text},
                intent=intent)


def test_form_over_three_turns_for_loan_deferral(call: Call) -> None:
    code, body = call("validate_eligibility_form", "我们的贷款能申请延期还本付息吗?", slots={})
    assert code == 200
    first = body["responses"][0]
    assert first["text"].startswith("我来按第44条")
    assert {b["payload"] for b in first["buttons"]} >= {"小微企业", "个体工商户"}
    slots = _slots(body["events"])
    assert slots["eligibility_pending"] == "enterprise_type"

    assert slots["requested_slot"] == "eligibility_answer"
    assert slots["eligibility_answer"] is None

    code, body = _answer(call, "我们是小微企业", slots)
    slots.update(_slots(body["events"]))
    assert slots["eligibility_pending"] == "loan_due_date"

    code, body = _answer(call, "过阵子吧", slots)
    assert "没能识别您的回答" in body["responses"][0]["text"]
    assert _slots(body["events"]) == {"eligibility_pending": "loan_due_date",
                                      "eligibility_answer": None,
                                      "requested_slot": "eligibility_answer"}

    code, body = _answer(call, "2023年3月10日", slots)
    verdict = body["responses"][0]["custom"]["verdict"]
    assert verdict["outcome"] == "met"
    assert [c["outcome"] for c in verdict["conditions"]] == ["met", "met"]
    text = body["responses"][0]["text"]
    assert "已于2023年6月30日到期" in text and "区金融局" in text
    assert {"event": "active_loop", "timestamp": None, "name": None} in body["events"]


def test_failing_condition_ends_the_form_early(call: Call) -> None:
    code, body = call("validate_eligibility_form", "我们是大型企业,贷款能延期还本付息吗?", slots={})
    verdict = body["responses"][0]["custom"]["verdict"]
    assert verdict["outcome"] == "not_met"
    assert verdict["conditions"][0]["outcome"] == "not_met"
    assert verdict["conditions"][1]["outcome"] == "unknown"


def test_all_facts_up_front_gives_graded_benefit(call: Call) -> None:
    code, body = call("validate_eligibility_form",
                      "我们年出口250万美元,出口信用保险保费能补贴吗?", slots={})
    reply = body["responses"][0]
    assert reply["custom"]["citations"] == [50]
    # One more fact (self-paid insurance) may be asked; the export tier is already known.
    slots = _slots(body["events"])
    assert slots["eligibility_facts"]["annual_export_usd_10k"] == 250.0
    if "verdict" not in reply["custom"]:
        code, body = _answer(call, "是", slots, intent=("affirm", 0.95))
        reply = body["responses"][0]
    assert any("全额" in b for b in reply["custom"]["verdict"]["benefits"])
    assert not any("80%" in b for b in reply["custom"]["verdict"]["benefits"])


def test_question_mid_form_is_rejected_then_the_form_asks_again(call: Call) -> None:
    code, body = call("validate_eligibility_form", "我们的贷款能申请延期还本付息吗?", slots={})
    slots = _slots(body["events"])
    code, body = _answer(call, "那这个找哪个部门?", slots, intent=("ask_department", 0.93))
    assert code == 400
    assert body["action_name"] == "validate_eligibility_form"
    # Rasa answers the question with another action, then runs the form again; the
    # question's text is still in eligibility_answer but must not be taken as an answer.
    code, body = call("validate_eligibility_form", "那这个找哪个部门?",
                      slots={**slots, "eligibility_answer": "那这个找哪个部门?"},
                      intent=("ask_department", 0.93),
                      events=[{"event": "user", "text": "那这个找哪个部门?"},
                              {"event": "action", "name": "action_answer_department"},
                              {"event": "action", "name": "eligibility_form"}])
    assert code == 200
    assert body["responses"][0]["text"].startswith("我们继续核对第44条")
    assert _slots(body["events"])["eligibility_pending"] == "enterprise_type"


def test_a_new_check_ignores_the_state_of_an_abandoned_one(call: Call) -> None:
    stale = {"eligibility_measure": 50, "eligibility_pending": "annual_export_usd_10k",
             "eligibility_facts": {"annual_export_usd_10k": 250.0}}
    code, body = call("validate_eligibility_form", "我能申请贷款延期还本付息吗?", slots=stale,
                      intent=("check_eligibility", 0.9),
                      events=[{"event": "user", "text": "我能申请贷款延期还本付息吗?"},
                              {"event": "active_loop", "name": "eligibility_form"}])
    assert body["responses"][0]["text"].startswith("我来按第44条")
    assert _slots(body["events"])["eligibility_facts"] == {}


def test_unparsed_answer_with_answer_like_intent_is_asked_again(call: Call) -> None:
    code, body = call("validate_eligibility_form", "我们的贷款能申请延期还本付息吗?", slots={})
    slots = _slots(body["events"])
    code, body = _answer(call, "这个不好说", slots, intent=("inform", 0.6))
    assert code == 200
    assert "没能识别您的回答" in body["responses"][0]["text"]


def test_boolean_facts_stated_in_passing(call: Call) -> None:
    code, body = call("validate_eligibility_form",
                      "我们是小微企业,2022年在册35人,没裁员,社保都按时交,能拿稳岗返还吗?", slots={})
    facts = _slots(body["events"])["eligibility_facts"]
    assert facts.get("has_layoffs") is False
    assert facts.get("pays_social_insurance") is True


def test_leaving_the_form_forgets_its_state(call: Call) -> None:
    code, body = call("action_reset_eligibility", "算了", slots={"eligibility_measure": 44})
    assert code == 200
    slots = _slots(body["events"])
    assert slots["eligibility_measure"] is None and slots["eligibility_facts"] is None
    assert {"event": "active_loop", "timestamp": None, "name": None} in body["events"]


def test_a_question_with_its_own_topic_checks_that_measure_not_the_current_one(call: Call) -> None:
    """Right after a trade-fair answer (current measure 52), a loan question is about 44."""
    code, body = call("validate_eligibility_form", "我能申请贷款延期还本付息吗?",
                      slots={"current_measures": [52]})
    assert code == 200
    assert body["responses"][0]["text"].startswith("我来按第44条")


def test_a_short_follow_up_checks_the_current_measure(call: Call) -> None:
    code, body = call("validate_eligibility_form", "我们符合条件吗?",
                      slots={"current_measures": [52]})
    assert code == 200
    assert body["responses"][0]["text"].startswith("我来按第52条")
