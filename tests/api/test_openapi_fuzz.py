"""Schemathesis over the running answer service's OpenAPI schema (real HTTP, real Rasa
behind /api/chat): no operation gives a server error or answers outside its schema.

Every operation gets EXAMPLES requests that fit its schema and EXAMPLES that do not
(schemathesis' positive and negative generation); webhook requests carry the action
token so they reach the actions. Driven through schemathesis' Python API rather than its
pytest plugin, whose subtests do not work with this pytest.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CheckFunction
from schemathesis.config import SchemathesisConfig
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.live import ACTION_TOKEN, LiveStack

pytestmark = pytest.mark.e2e
EXAMPLES = 50
# Invalid input may also be refused as too large (413) before it is parsed.
CONFIG = SchemathesisConfig.from_dict({"checks": {"negative_data_rejection": {
    "expected-statuses": [400, 401, 403, 404, 405, 413, 422, 429]}}})


def test_every_operation_keeps_its_contract(live_stack: LiveStack) -> None:
    schema = schemathesis.openapi.from_url(f"{live_stack.api_url}/openapi.json", config=CONFIG)
    results = list(schema.get_all_operations())
    assert all(isinstance(result, Ok) for result in results), "the OpenAPI schema has invalid operations"
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) >= 10
    sent: dict[str, int] = {}
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            def check(case: schemathesis.Case) -> None:
                # A well-formed action call may still be rejected: 400 is how the Rasa
                # protocol says "this action cannot run on this tracker".
                excluded: list[CheckFunction] = (
                    [positive_data_acceptance] if case.operation.path == "/webhook" else [])
                case.call_and_validate(headers={"Authorization": f"Bearer {ACTION_TOKEN}"},
                                       excluded_checks=excluded)
                sent[case.operation.label] = sent.get(case.operation.label, 0) + 1

            try:
                check()
            except Unsatisfiable:
                # Nothing to get wrong (e.g. GET /health takes no input): no negative cases.
                assert mode is GenerationMode.NEGATIVE, operation.label
    print(f"schemathesis: {sum(sent.values())} requests over {len(sent)} operations")  # noqa: T201
    assert set(sent) == {operation.label for operation in operations}


