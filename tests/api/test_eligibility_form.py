"""The eligibility form through the webhook: questions asked, answers validated, verdicts."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def _slots(events: list[dict]) -> dict:  # type: ignore[type-arg]
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_form_over_three_turns_for_loan_deferral(call) -> None:  # type: ignore[no-untyped-def]
    code, body = call("validate_eligibility_form", "我们的贷款能申请延期还本付息吗?", slots={})
    assert code == 200
    first = body["responses"][0]
    assert first["text"].startswith("我来按第44条")
    assert {b["payload"] for b in first["buttons"]} >= {"小微企业", "个体工商户"}
    slots = _slots(body["events"])
    assert slots["eligibility_pending"] == "enterprise_type"

    code, body = call("validate_eligibility_form", "我们是小微企业", slots=slots)
    slots.update(_slots(body["events"]))
    assert slots["eligibility_pending"] == "loan_due_date"

    code, body = call("validate_eligibility_form", "下个月吧", slots=slots)
    assert "没能识别您的回答" in body["responses"][0]["text"]
    assert _slots(body["events"]) == {"eligibility_pending": "loan_due_date"}

    code, body = call("validate_eligibility_form", "2023年3月10日", slots=slots)
    verdict = body["responses"][0]["custom"]["verdict"]
    assert verdict["outcome"] == "met"
    assert [c["outcome"] for c in verdict["conditions"]] == ["met", "met"]
    text = body["responses"][0]["text"]
    assert "已于2023年06月30日到期" in text and "区金融局" in text
    assert {"event": "active_loop", "timestamp": None, "name": None} in body["events"]


def test_failing_condition_ends_the_form_early(call) -> None:  # type: ignore[no-untyped-def]
    code, body = call("validate_eligibility_form", "我们是大型企业,贷款能延期还本付息吗?", slots={})
    verdict = body["responses"][0]["custom"]["verdict"]
    assert verdict["outcome"] == "not_met"
    assert verdict["conditions"][0]["outcome"] == "not_met"
    assert verdict["conditions"][1]["outcome"] == "unknown"


def test_all_facts_up_front_gives_graded_benefit(call) -> None:  # type: ignore[no-untyped-def]
    code, body = call("action_check_eligibility",
                      "我们年出口250万美元,出口信用保险保费能补贴吗?", slots={})
    reply = body["responses"][0]
    assert reply["custom"]["citations"] == [50]
    # One more fact (self-paid insurance) may be asked; the export tier is already known.
    slots = _slots(body["events"])
    assert slots["eligibility_facts"]["annual_export_usd_10k"] == 250.0
    if "verdict" not in reply["custom"]:
        code, body = call("validate_eligibility_form", "是", slots=slots)
        reply = body["responses"][0]
    assert any("全额" in b for b in reply["custom"]["verdict"]["benefits"])
    assert not any("80%" in b for b in reply["custom"]["verdict"]["benefits"])
