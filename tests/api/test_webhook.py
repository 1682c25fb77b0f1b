"""The action webhook with bodies shaped exactly as Rasa 3.6 sends them."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.services import Services
from knowledge.settings import get_settings
from tests.api.conftest import Call, PostWebhook


def test_answer_question_cites_52_and_sets_current_measure(call: Call) -> None:
    code, body = call("action_answer_question", "我们去日本参加行业展会,人员机票能补贴一部分吗?")
    assert code == 200
    reply = body["responses"][0]
    assert reply["text"].startswith("根据第52条")
    assert "区商务局" in reply["text"]
    assert reply["custom"]["citations"][0] == 52
    # 52 has eligibility rules, and "去日本参加行业展会" meets them: the verdict follows.
    assert body["responses"][1]["custom"]["verdict"]["outcome"] == "met"
    slots = {e["name"]: e["value"] for e in body["events"] if e["event"] == "slot"}
    assert slots["current_measures"] == [52]
    assert slots["eligibility_facts"] == {"attends_overseas_exhibition": True}
    assert not any(e["event"] == "active_loop" for e in body["events"])


def test_unanswerable_question_cites_nothing(call: Call) -> None:
    code, body = call("action_answer_question", "护照怎么办理?")
    assert code == 200
    reply = body["responses"][0]
    assert "没有找到" in reply["text"] and "第" not in reply["text"].split("如“")[0]
    assert reply["custom"]["citations"] == []
    assert body["events"] == []


def test_department_of_export_credit_insurance(call: Call) -> None:
    code, body = call("action_answer_department", "出口信用保险归哪个部门管?", slots={})
    assert code == 200
    text = body["responses"][0]["text"]
    assert "第50条" in text and "区商务局" in text and "区财政局" in text


def test_department_follow_up_uses_current_measure(call: Call) -> None:
    code, body = call("action_answer_department", "那这个找哪个部门?",
                      slots={"current_measures": [44]})
    assert code == 200
    assert body["responses"][0]["text"] == "第44条由区金融局负责。"


def test_measure_40_has_expired(call: Call) -> None:
    code, body = call("action_answer_validity", "第40条现在还有效吗?")
    assert code == 200
    assert body["responses"][0]["text"] == "第40条:该措施执行至2024年12月31日,目前已到期。"
    code, body = call("action_answer_question", "小规模纳税人的六税两费减半政策现在还能享受吗?")
    assert "第40条" in body["responses"][0]["text"] and "目前已到期" in body["responses"][0]["text"]


def test_measure_40_in_force_before_its_deadline(call: Call, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYBOT_TODAY", "2023-05-01")
    get_settings.cache_clear()
    code, body = call("action_answer_validity", "第40条现在还有效吗?")
    assert body["responses"][0]["text"] == "第40条:该措施执行至2024年12月31日,目前仍在有效期内。"
    assert body["responses"][0]["custom"]["validity"][0]["in_force"] is True


def test_validity_follow_up_uses_current_measure(call: Call) -> None:
    code, body = call("action_answer_validity", "还有效吗?", slots={"current_measures": [44]})
    assert body["responses"][0]["text"].startswith("第44条:")
    assert body["responses"][0]["custom"]["citations"] == [44]


def test_how_to_apply_points_to_departments_without_inventing_steps(call: Call) -> None:
    code, body = call("action_how_to_apply", "具体怎么申请?", slots={"current_measures": [52]})
    assert code == 200
    reply = body["responses"][0]
    assert reply["text"].startswith("第52条原文没有写明具体的申请流程")
    assert "区商务局" in reply["text"]
    assert reply["custom"]["citations"] == [52]
    code, body = call("action_how_to_apply", "出口信用保险的保费补贴具体怎么申请?",
                      slots={"current_measures": [52]})
    assert body["responses"][0]["custom"]["citations"] == [50]


@pytest.mark.parametrize("text", ["第44条", "措施44", "第四十四条"])
def test_show_measure_by_any_spelling(call: Call, text: str) -> None:
    code, body = call("action_show_measure", text)
    assert code == 200
    assert body["responses"][0]["text"].startswith("第44条(四、支持实体经济发展")
    assert "2023年6月30日" in body["responses"][0]["text"]


def test_show_unknown_measure(call: Call) -> None:
    code, body = call("action_show_measure", "第99条")
    assert code == 200 and "没有第99条" in body["responses"][0]["text"]


def test_department_measures_through_alias(call: Call) -> None:
    code, body = call("action_list_department_measures", "税务部门管哪些政策?",
                      entities=[{"entity": "department", "value": "税务部门"}])
    assert code == 200
    assert body["responses"][0]["custom"]["citations"] == [20, 40]
    assert body["responses"][0]["text"].startswith("区税务局负责以下2条措施")


def test_unknown_action_is_404(call: Call) -> None:
    code, body = call("action_does_not_exist", "x")
    assert code == 404
    assert body == {"error": "no registered action found for name 'action_does_not_exist'",
                    "action_name": "action_does_not_exist"}


@pytest.mark.parametrize(
    ("body", "status"),
    [(b"{not json", 400), (b"[]", 422), (b'{"next_action": "action_answer_question"}', 422),
     (b'{"next_action": "", "sender_id": "a", "tracker": {"sender_id": "a"}}', 422)],
)
def test_malformed_bodies_are_4xx_with_reason(post_webhook: PostWebhook, body: bytes,
                                              status: int) -> None:
    response = post_webhook(body)
    assert response.status_code == status
    assert response.json()["error"]


def test_actions_listed(client: TestClient) -> None:
    names = {a["name"] for a in client.get("/actions").json()}
    assert {"action_answer_question", "action_answer_department", "action_show_measure",
            "action_list_department_measures", "validate_eligibility_form"} <= names


def test_health_reports_index_model_and_what_is_down(client: TestClient, services: Services) -> None:
    # No Rasa runs beside these tests: the service answers, degraded, and says why.
    response = client.get("/health")
    body: dict[str, Any] = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded" and body["measures"] == 75
    assert body["checks"]["store"] == "ok" and body["checks"]["rasa"].startswith("unreachable")
    assert body["model"] == services.index.embedder.model_id
    assert body["index_version"] == services.index.version
