"""Loading a version's services also warms its search (api/services.py), so the first
user of a worker after a start or a publish does not pay for jieba's initialisation."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.services import load_services
from index import tokenize
from tests.api.conftest import settings_for_tests

pytestmark = pytest.mark.slow


def test_loading_services_initialises_the_segmenter(default_index_dir: Path) -> None:
    tokenize._segmenter.cache_clear()
    load_services(settings_for_tests(index_dir=default_index_dir))
    assert tokenize._segmenter.cache_info().currsize == 1
