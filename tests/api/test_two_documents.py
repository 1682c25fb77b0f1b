"""Two documents loaded (the shipped 2023 measures and the 2024 adjustments fixture): every
reply, page and API result names the document; 第44条 resolves and says which document it
used; a superseded measure points at its successor; a question can name the document."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from knowledge.catalog import Catalog
from knowledge.departments import DepartmentTable
from tests.api.conftest import RASA_AUTH, Call, settings_for_tests
from tests.fakes import fake_services
from tests.kbtrees import NEW, OLD, knowledge_paths, two_document_tree

OLD_NAME, NEW_NAME = "《红旗区稳经济措施(2023)》", "《红旗区稳经济措施调整(2024)》"


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return two_document_tree(tmp_path_factory.mktemp("two-documents") / "knowledge")


@pytest.fixture(scope="module")
def services(tree: Path) -> Services:
    settings = settings_for_tests(**knowledge_paths(tree))
    catalog = Catalog.load(settings.sources_dir, DepartmentTable.load(settings.departments_file))
    return fake_services(catalog, settings)


@pytest.fixture(scope="module")
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services), headers=RASA_AUTH) as test_client:
        yield test_client


def _sources(reply: dict[str, Any]) -> list[tuple[str, int]]:
    return [(s["doc_id"], s["measure"]) for s in reply["custom"]["sources"]]


def _current(body: dict[str, Any]) -> Any:
    return next(e["value"] for e in body["events"] if e["name"] == "current_measures")


# -- chat ----------------------------------------------------------------------------------

def test_a_superseded_measure_points_at_its_successor(call: Call) -> None:
    code, body = call("action_show_measure", "第44条")
    assert code == 200
    [reply] = body["responses"]
    assert reply["text"].startswith(
        f"{OLD_NAME}第44条已被{NEW_NAME}第3条取代,现行规定请以{NEW_NAME}第3条为准。")
    assert "2024年12月31日" in reply["text"]  # the successor's later deadline is quoted
    assert _sources(reply) == [(OLD, 44), (NEW, 3)]
    assert reply["custom"]["citations"] == [44, 3]
    assert _current(body) == [f"{NEW}#3"]  # follow-ups are about what is in force


def test_a_bare_number_says_which_document_it_used(call: Call) -> None:
    code, body = call("action_show_measure", "第3条是什么内容")
    [reply] = body["responses"]
    assert reply["text"].startswith(f"{NEW_NAME}第3条(二、强化金融支持")
    assert f"注:多份文件都有第3条,以上为{NEW_NAME}第3条;如需查看{OLD_NAME}第3条" in reply["text"]
    assert _sources(reply) == [(NEW, 3)]


@pytest.mark.parametrize("question", ["2023年文件第3条", "《红旗区稳经济措施(2023)》第3条是什么"])
def test_a_question_can_name_the_document(call: Call, question: str) -> None:
    code, body = call("action_show_measure", question)
    [reply] = body["responses"]
    assert reply["text"].startswith(f"{OLD_NAME}第3条(")
    assert "注:" not in reply["text"]
    assert _sources(reply) == [(OLD, 3)] and _current(body) == [f"{OLD}#3"]


def test_the_2023_document_44_is_the_old_one(call: Call) -> None:
    code, body = call("action_show_measure", "2023年文件第44条")
    assert _sources(body["responses"][0])[0] == (OLD, 44)
    code, body = call("action_show_measure", "2024年文件第44条")
    assert body["responses"][0]["text"].startswith(f"{NEW_NAME}中没有第44条。")
    assert body["responses"][0]["custom"]["sources"] == []


def test_search_offers_the_successor_not_the_superseded_measure(call: Call) -> None:
    code, body = call("action_answer_question", "小微企业贷款到期还不上,能延期还本付息吗?最晚延到什么时候?")
    reply, check = body["responses"]
    assert reply["text"].startswith(f"根据{NEW_NAME}第3条")
    assert (OLD, 44) not in _sources(reply)
    assert _sources(check) == [(NEW, 3)] and check["custom"]["asking"]
    # ... unless the question asks for the old document.
    code, body = call("action_answer_question", "2023年的文件里小微企业贷款延期还本付息是怎么规定的?")
    reply = body["responses"][0]
    assert _sources(reply)[0] == (OLD, 44)
    assert f"被{NEW_NAME}第3条取代" in reply["text"]


def test_validity_of_a_superseded_measure(call: Call) -> None:
    code, body = call("action_answer_validity", "第40条现在还有效吗?")
    assert body["responses"][0]["text"] == (f"{OLD_NAME}第40条:该措施已于2024年2月26日被"
                                            f"{NEW_NAME}第1条取代,请以新规定为准。")
    assert body["responses"][0]["custom"]["validity"][0]["in_force"] is False


def test_follow_up_on_a_measure_kept_by_key(call: Call) -> None:
    code, body = call("action_answer_department", "那找哪个部门?", slots={"current_measures": [f"{NEW}#3"]})
    assert body["responses"][0]["text"] == f"{NEW_NAME}第3条由区金融局负责。"
    code, body = call("action_answer_department", "那找哪个部门?", slots={"current_measures": ["nope#3"]})
    assert body["responses"][0]["custom"]["citations"] == []
    code, body = call("action_answer_department", "那找哪个部门?", slots={"current_measures": ["nope#x"]})
    assert code == 422


def test_eligibility_of_a_superseded_measure_uses_the_successor_rule(call: Call) -> None:
    code, body = call("action_answer_question", "第44条的贷款延期我们符合条件吗?", slots={},
                      intent=("check_eligibility", 0.9))
    assert code == 200
    reply = body["responses"][0]
    assert reply["text"].startswith(f"我来按{NEW_NAME}第3条(小微企业贷款延期还本付息(延续))帮您核对条件。")
    slots = {e["name"]: e["value"] for e in body["events"] if e["event"] == "slot"}
    assert slots["eligibility_measure"] == f"{NEW}#3"


def test_how_to_apply_for_a_superseded_measure(call: Call) -> None:
    code, body = call("action_how_to_apply", "第44条具体怎么申请?")
    text = body["responses"][0]["text"]
    assert text.startswith(f"{OLD_NAME}第44条已被{NEW_NAME}第3条取代,以下按{NEW_NAME}第3条说明。")
    assert _current(body) == [f"{NEW}#3"]


# -- REST API and pages ----------------------------------------------------------------------------

def test_rest_measure_names_its_document(client: TestClient) -> None:
    data = client.get("/api/measures/44").json()
    assert (data["doc_id"], data["citation"]) == (OLD, f"{OLD_NAME}第44条")
    assert data["document"]["short_name"] == "红旗区稳经济措施(2023)"
    assert data["superseded_by"]["number"] == 3 and data["validity"]["status"] == "superseded"
    assert client.get("/api/measures/3").json()["doc_id"] == NEW
    assert client.get(f"/api/measures/3?doc={OLD}").json()["doc_id"] == OLD
    assert client.get(f"/api/measures/44?doc={NEW}").status_code == 404
    assert [m["number"] for m in client.get(f"/api/measures?doc={NEW}").json()] == [1, 2, 3, 4, 5]
    documents = client.get("/api/documents").json()
    assert [(d["doc_id"], d["measures"]) for d in documents] == [(NEW, 5), (OLD, 75)]
    assert documents[0]["supersedes"] == [{"doc_id": OLD, "measures": {"40": 1, "44": 3}}]


def test_rest_search_leaves_superseded_measures_out_unless_asked(client: TestClient) -> None:
    query: dict[str, str | int] = {"q": "小微企业贷款延期还本付息", "k": 10}
    hits = client.get("/api/search", params=query).json()["results"]
    assert (OLD, 44) not in [(h["doc_id"], h["measure"]) for h in hits]
    assert hits[0]["citation"] == f"{NEW_NAME}第3条"
    hits = client.get("/api/search", params={**query, "superseded": "true", "doc": OLD}).json()["results"]
    assert {h["doc_id"] for h in hits} == {OLD} and hits[0]["measure"] == 44
    assert hits[0]["superseded_by"]["doc_id"] == NEW


def test_rest_departments_by_document(client: TestClient) -> None:
    data = client.get("/api/departments").json()
    assert {"doc_id": NEW, "number": 3} in data["区金融局"]
    assert {"doc_id": OLD, "number": 44} in data["区金融局"]
    assert client.get(f"/api/departments?doc={NEW}").json()["区金融局"] == [3, 4]
    assert client.get("/api/departments?doc=nope").status_code == 404


def test_measure_pages_name_the_document(client: TestClient) -> None:
    page = client.get("/measures/44").text
    assert f"{OLD_NAME}第44条" in page
    assert f'本条已被<a href="/measures/3?doc={NEW}">{NEW_NAME}第3条</a>取代' in page
    page = client.get("/measures/3").text
    assert f'href="/measures/2?doc={NEW}"' in page and f'href="/measures/4?doc={NEW}"' in page
    missing = client.get("/measures/99")
    assert missing.status_code == 404
    assert f"现有措施编号为{NEW_NAME}第1条至第5条;{OLD_NAME}第1条至第75条。" in missing.text
