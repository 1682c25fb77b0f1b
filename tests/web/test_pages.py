"""Server-rendered pages through the real router and templates, without a browser or index.

The pages need only the catalog, so the app here holds a catalog and no search index:
these tests run in the fast tier. What a browser sees is in test_measure_page.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.routers import pages
from knowledge.catalog import Catalog
from knowledge.eligibility import RuleBook
from knowledge.settings import get_settings
from tests.conftest import PinToday
from tests.live import TODAY


@pytest.fixture(scope="module")
def client(catalog: Catalog) -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(pages.router)
    rules = RuleBook.load(get_settings().eligibility_dir, catalog)
    app.state.services = SimpleNamespace(catalog=catalog, rules=rules)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def pinned_today(today: PinToday) -> None:
    today(TODAY)


def test_measure_page_words_come_from_the_measure_json(client: TestClient) -> None:
    response = client.get("/measures/40")
    assert response.status_code == 200
    html = response.text
    assert "<title>第40条 · 政策措施</title>" in html
    assert "四、支持实体经济发展 / (十二)加大财政支持力度" in html
    assert '<span class="badge expired">已于2024年12月31日到期</span>' in html
    assert "该措施执行至2024年12月31日,目前已到期。" in html
    assert '<a href="/operator?department=%E5%8C%BA%E7%A8%8E%E5%8A%A1%E5%B1%80">区税务局</a>' in html
    assert 'rel="prev">上一条:第39条' in html and 'rel="next">下一条:第41条' in html


def test_first_and_last_measures_have_one_neighbour(client: TestClient) -> None:
    first, last = client.get("/measures/1").text, client.get("/measures/75").text
    assert 'rel="prev"' not in first and 'rel="next">下一条:第2条' in first
    assert 'rel="next"' not in last and 'rel="prev">上一条:第74条' in last


@pytest.mark.parametrize("number", ["0", "76", "9999", "12345", "abc", "²", "１", "٣", "4 4", "-1", "+1"])
def test_anything_but_a_known_ascii_number_is_the_chinese_404_page(client: TestClient, number: str
                                                                   ) -> None:
    response = client.get(f"/measures/{number}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>未找到该措施</h1>" in response.text
    assert "第1条至第75条" in response.text


def test_unknown_document_is_a_404_page(client: TestClient) -> None:
    assert client.get("/measures/1", params={"doc": "no-such-document"}).status_code == 404


def test_address_text_is_escaped_not_rendered(client: TestClient) -> None:
    response = client.get("/measures/%3Cb%3E%22x%22")
    assert response.status_code == 404
    assert "<b>" not in response.text
    assert "&lt;b&gt;&#34;x&#34;" in response.text


def test_every_page_shares_the_layout(client: TestClient) -> None:
    for path, current in [("/", "/"), ("/operator", "/operator"), ("/measures/5", None),
                          ("/measures/x", None)]:
        html = client.get(path).text
        assert html.count('<a class="skip-link" href="#main">跳到主要内容</a>') == 1, path
        assert html.count('<header class="site-header">') == 1, path
        assert html.count('<main id="main"') == 1, path
        assert html.count('aria-current="page"') == (1 if current else 0), path
        if current:
            assert f'<a href="{current}" aria-current="page">' in html, path


def test_console_gets_the_document_titles_as_json(client: TestClient) -> None:
    html = client.get("/operator").text
    found = re.search(r'<script type="application/json" id="documents">(.*?)</script>', html)
    assert found is not None
    titles = json.loads(found.group(1))
    assert titles == {"hongqi-2023-measures": "红旗区大力提振市场信心促进经济稳定向好政策措施"}


@pytest.mark.parametrize(("number", "says", "conditions"), [
    (45, "可核对条件的惠企措施",
     ["属于服务业企业", "2022年用工在20人以上(含20人)", "未裁员", "依法参加社会保险"]),
    (59, "惠企措施(文件未写明享受条件):组织企业参加进博会", []),
    (72, "不直接面向企业:基层“三保”和政府债务管理", []),
])
def test_measure_page_says_what_the_measure_is_to_an_enterprise(
        client: TestClient, number: int, says: str, conditions: list[str]) -> None:
    page = client.get(f"/measures/{number}").text
    kind = re.search(r'<dd class="kind"[^>]*>(.*?)</dd>', page, re.S)
    assert kind is not None and says in kind.group(1)
    assert ("是否适用请咨询责任单位" in kind.group(1)) == (number == 59)
    listed = re.search(r'<ul class="conditions">(.*?)</ul>', page, re.S)
    found = re.findall(r"<li>(.*?)</li>", listed.group(1)) if listed else []
    assert found == conditions
