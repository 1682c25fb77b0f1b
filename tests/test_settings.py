"""Paths every consumer reads from the settings, including Rasa through `policybot model path`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from index.evaluate import load_eval_set
from knowledge.settings import Settings, get_settings


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_distilled_model_lives_under_var_unless_set(tmp_path: Path) -> None:
    assert Settings(var_dir=tmp_path).default_model_dir == tmp_path / "models" / "policy-static-zh"
    assert Settings(distilled_model_dir=tmp_path / "m").default_model_dir == tmp_path / "m"


def test_model_path_prints_the_setting_for_rasa(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["model", "path"])
    assert result.exit_code == 0
    assert Path(result.stdout.strip()) == get_settings().default_model_dir.resolve()
    env.setenv("POLICYBOT_DISTILLED_MODEL_DIR", str(tmp_path / "elsewhere"))
    get_settings.cache_clear()
    result = CliRunner().invoke(main, ["model", "path"])
    assert result.stdout.strip() == str(tmp_path / "elsewhere")


def test_eval_set_is_a_setting(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert "tests" not in get_settings().eval_set.parts
    custom = tmp_path / "set.yml"
    custom.write_text('- {q: "出口信用保险保费能补贴吗", gold: [50], kind: lookup}\n', encoding="utf-8")
    env.setenv("POLICYBOT_EVAL_SET", str(custom))
    get_settings.cache_clear()
    [question] = load_eval_set()
    assert question.gold == frozenset({50}) and question.kind == "lookup"
