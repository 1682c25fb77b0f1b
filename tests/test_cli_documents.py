"""`policybot kb show/list/departments` with two documents loaded: each measure says which
document it comes from, --doc picks one, and a bare number resolves as in the chat."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from knowledge.settings import get_settings
from tests.conftest import PinToday
from tests.kbtrees import NEW, OLD, knowledge_env, two_document_tree


@pytest.fixture(autouse=True)
def two_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, today: PinToday) -> Iterator[None]:
    for name, value in knowledge_env(two_document_tree(tmp_path / "knowledge")).items():
        monkeypatch.setenv(name, value)
    today("2026-11-30")
    yield
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_show_says_which_document() -> None:
    code, out, _ = run("kb", "show", "44", "--json")
    data = json.loads(out)
    assert code == 0 and (data["doc_id"], data["number"]) == (OLD, 44)
    assert data["document"] == {"doc_id": OLD, "title": "红旗区大力提振市场信心促进经济稳定向好政策措施",
                                "short_name": "红旗区稳经济措施(2023)", "issuer": "红旗区人民政府",
                                "issue_date": "2023-03-29"}
    assert data["superseded_by"] == {"doc_id": NEW, "number": 3, "since": "2024-02-26",
                                     "citation": "《红旗区稳经济措施调整(2024)》第3条"}
    code, out, _ = run("kb", "show", "3")
    assert out.startswith("《红旗区稳经济措施调整(2024)》第3条 [二、强化金融支持 / (二)支持小微企业融资]\n"
                          f"文件: 《红旗区延续优化稳经济政策措施》({NEW},2024-02-26)\n")
    assert json.loads(run("kb", "show", "3", "--doc", OLD, "--json")[1])["doc_id"] == OLD
    assert "被《红旗区稳经济措施调整(2024)》第1条取代" in run("kb", "show", "40")[1]


def test_show_errors_name_the_document() -> None:
    code, _, err = run("kb", "show", "44", "--doc", NEW)
    assert code == 3 and err.strip() == f"error: no measure 44 in {NEW}"
    code, _, err = run("kb", "show", "99")
    assert code == 3 and err.strip() == "error: no measure 99"


def test_list_has_a_document_column_and_filters_by_document() -> None:
    code, out, _ = run("kb", "list", "--department", "金融局")
    rows = out.splitlines()
    assert code == 0 and rows[0].startswith(f"  3  {NEW}  expired")  # deadline 2024-12-31
    assert f" 44  {OLD:<{len(NEW)}}  superseded  区金融局" in out
    data = json.loads(run("kb", "list", "--doc", NEW, "--json")[1])
    assert [(m["doc_id"], m["number"]) for m in data] == [(NEW, n) for n in range(1, 6)]
    in_force = {(m["doc_id"], m["number"]) for m in json.loads(run("kb", "list", "--in-force", "--json")[1])}
    assert (OLD, 44) not in in_force and (OLD, 40) not in in_force and (NEW, 1) in in_force
    code, _, err = run("kb", "list", "--doc", "nope")
    assert code == 3 and "unknown document: nope" in err


def test_departments_json_pairs_documents_and_numbers() -> None:
    data = json.loads(run("kb", "departments", "--json")[1])
    assert {"doc_id": NEW, "number": 3} in data["区金融局"]
    assert json.loads(run("kb", "departments", "--doc", OLD, "--json")[1])["区税务局"] == [20, 40]
    code, out, _ = run("kb", "departments")
    assert "《红旗区稳经济措施调整(2024)》第3条" in out
