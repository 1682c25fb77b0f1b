"""POST /api/match and GET /api/match/facts: the grouped result as JSON, hostile bodies
refused with reasons (never a 500, never the input echoed), the chat's fair-use limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.routers import match
from api.services import Services
from knowledge.eligibility import RuleBook
from knowledge.settings import get_settings
from tests.api.conftest import ClientFactory, client_factory, router_app
from tests.live import TODAY

PROFILE = {"enterprise_type": "小微企业", "industry": "服务业", "headcount_2022": "30人",
           "annual_export_usd_10k": "200万美元"}


@pytest.fixture
def make_client(fake_app_services: Services) -> Iterator[ClientFactory]:
    with client_factory(lambda settings: router_app(settings, match.router, services=fake_app_services),
                        {"client_rate_limits": "1000/minute", "throttle_delay": 0}) as make:
        yield make


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient:
    return make_client()


def citations(body: dict[str, Any], group: str) -> list[str]:
    found = next(g for g in body["groups"] if g["id"] == group)
    return [m["citation"] for m in found["measures"]]


def test_a_profile_gets_its_measures_grouped(client: TestClient) -> None:
    response = client.post("/api/match", json={"profile": PROFILE})
    assert response.status_code == 200
    body = response.json()
    assert body["as_of"] == TODAY
    assert [(g["id"], g["title"]) for g in body["groups"]] == [
        ("eligible", "符合"), ("possible", "可能符合"), ("expired", "已到期")]
    assert sorted(citations(body, "eligible")) == ["第41条", "第43条", "第50条", "第63条"]
    assert "第45条" in citations(body, "possible") and "第44条" in citations(body, "expired")
    first_possible = next(g for g in body["groups"] if g["id"] == "possible")["measures"]
    social = next(m for m in first_possible if m["measure"] == 45)
    assert sorted(social["missing"]) == ["has_layoffs", "pays_social_insurance"]
    assert {c["outcome"] for c in social["conditions"]} == {"met", "unknown"}
    assert social["departments"] == ["区人社局", "区金融局"] and social["href"] == "/measures/45"
    expired = next(g for g in body["groups"] if g["id"] == "expired")["measures"]
    assert next(m for m in expired if m["measure"] == 44)["validity"] == "已于2023年6月30日到期"
    assert "第59条" in [m["citation"] for m in body["unconditioned"]]
    question = body["questions"][0]
    assert question["choices"] == ["是", "否"] and question["weight"] >= body["questions"][-1]["weight"]


def test_a_reward_comes_with_its_amount(client: TestClient) -> None:
    profile = {"is_foreign_invested": "是", "foreign_project_form": "新设企业",
               "project_is_real_estate_or_finance": False, "investment_usd_10k": 500}
    body = client.post("/api/match", json={"profile": profile}).json()
    first = next(g for g in body["groups"] if g["id"] == "eligible")["measures"][0]
    assert first["measure"] == 58
    assert first["amount"] == {"low": 50.0, "high": 50.0, "unit": "万元"}


def test_ranges_and_open_ends(client: TestClient) -> None:
    body = client.post("/api/match", json={"profile": {
        "industry": "服务业", "headcount_2022": [20, None], "has_layoffs": False,
        "pays_social_insurance": True}}).json()
    assert "第45条" in citations(body, "eligible")
    body = client.post("/api/match", json={"profile": {"investment_usd_10k": [100, None],
                                                        "is_foreign_invested": True}}).json()
    assert body["groups"][1]["measures"][0]["amount"] is None or \
        body["groups"][1]["measures"][0]["amount"]["high"] <= 1000


def test_a_name_that_is_no_fact_is_ignored_and_said(client: TestClient) -> None:
    body = client.post("/api/match", json={"profile": {"turnover": 5, "enterprise_type": "小微企业"}})
    assert body.status_code == 200
    assert body.json()["ignored"] == ["turnover"]
    assert "第43条" in citations(body.json(), "eligible")


@pytest.mark.parametrize(("profile", "field"), [
    ({"headcount_2022": "很多人"}, "headcount_2022"),
    ({"enterprise_type": "外星企业"}, "enterprise_type"),
    ({"loan_due_date": ""}, "loan_due_date"),
    ({"headcount_2022": [None, 5]}, "headcount_2022"),
    ({"headcount_2022": [9, 5], "turnover": [9, 5]}, "headcount_2022"),
])
def test_a_value_that_does_not_read_says_which_fact(client: TestClient, profile: dict[str, Any],
                                                   field: str) -> None:
    response = client.post("/api/match", json={"profile": profile})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_profile"
    assert [p["fact"] for p in response.json()["detail"]] == [field]
    assert all(p["msg"] for p in response.json()["detail"])


@pytest.mark.parametrize("body", [
    {"profile": {f"fact_{i}": True for i in range(65)}},
    {"profile": {"enterprise_type": "小" * 101}},
    {"profile": {"<script>": True}},
    {"profile": {"headcount_2022": [1, 2, 3]}},
    {"profile": {"0": True}},
    {"profile": {"headcount_2022": [[1]]}},
    {"profile": {"headcount_2022": {"a": 1}}},
    {"profile": {"headcount_2022": 10**30}},
    {"profile": []},
    {"facts": {}},
    [],
])
def test_a_malformed_body_is_a_422_that_echoes_nothing(client: TestClient, body: Any) -> None:
    response = client.post("/api/match", json=body)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert "小" * 101 not in response.text


@pytest.mark.parametrize("raw", [b'{"profile": {"headcount_2022": NaN}}',
                                 b'{"profile": {"annual_export_usd_10k": 1e400}}',
                                 b"{not json", b'{"profile": {"a": "\\ud800"}}'])
def test_non_numbers_and_broken_json_are_refused(client: TestClient, raw: bytes) -> None:
    response = client.post("/api/match", content=raw, headers={"content-type": "application/json"})
    assert response.status_code in (400, 422)


def test_a_huge_body_is_refused_before_parsing(client: TestClient) -> None:
    raw = json.dumps({"profile": {"enterprise_type": "小" * 70_000}}).encode()
    response = client.post("/api/match", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_matching_counts_against_the_clients_budget(make_client: ClientFactory) -> None:
    client = make_client(client_rate_limits="2/minute")
    assert client.post("/api/match", json={"profile": {}}).status_code == 200
    assert client.post("/api/match", json={"profile": {}}).status_code == 200
    response = client.post("/api/match", content=b"{not json",
                           headers={"content-type": "application/json"})
    assert response.status_code == 429  # refused before the body is read
    assert int(response.headers["retry-after"]) >= 1
    assert response.json()["code"] == "rate_limited"


def test_the_facts_list_gives_questions_and_quick_replies(client: TestClient) -> None:
    facts = {f["fact"]: f for f in client.get("/api/match/facts").json()}
    assert facts["enterprise_type"]["choices"][:2] == ["小微企业", "个体工商户"]
    assert facts["has_layoffs"]["choices"] == ["是", "否"]
    assert facts["annual_export_usd_10k"]["unit"] == "万美元"
    assert facts["headcount_2022"]["question"] == "贵单位2022年用工人数是多少?"


def test_the_schema_documents_the_bounds(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    operation = schema["paths"]["/api/match"]["post"]
    assert {"200", "422", "429"} <= set(operation["responses"])
    request = schema["components"]["schemas"]["MatchRequest"]["properties"]["profile"]
    assert request["maxProperties"] == 64
    assert "MatchResponse" in schema["components"]["schemas"]


# ---- generated bodies: never a 5xx ---------------------------------------------------------

FACT_NAMES = sorted(RuleBook.load(get_settings().eligibility_dir).facts)
values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-10**15, max_value=10**15)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30)
    | st.sampled_from(["200万美元", "两百万", "20多人", "2023年3月底", "去年", "是", "没有", "小微企业",
                       "-5", "1e400", "第44条", "30人以上"]),
    lambda children: st.lists(children, max_size=3),
    max_leaves=6,
)


@pytest.mark.slow
@settings(max_examples=600, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(profile=st.dictionaries(st.sampled_from(FACT_NAMES) | st.text(max_size=10), values, max_size=8))
def test_generated_profiles_never_get_a_server_error(client: TestClient, profile: dict[str, Any]) -> None:
    response = client.post("/api/match", json={"profile": profile})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert {g["id"] for g in response.json()["groups"]} == {"eligible", "possible", "expired"}
