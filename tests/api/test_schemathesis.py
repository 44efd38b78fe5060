"""The API against its own OpenAPI document, with schemathesis (in-process, through WSGI).

Generated requests for every operation of ``/api/v1/openapi.json``, sent with an admin's
token to an app with a campaign, units and a few responses: no answer is a server error, and
every answer — success or problem — has a documented status, media type, headers and body.
Bounded: a handful of examples per operation, no per-example deadline, a total time budget.
"""

from __future__ import annotations

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from survey_app.domain.accounts import api_tokens
from survey_app.models import Role
from tests.api.conftest import answers, bearer

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
#: Examples per operation and the time every operation together may take.
MAX_EXAMPLES = 8
BUDGET_SECONDS = 60


@pytest.fixture
def api(app, client, make_unit, make_campaign, make_user):
    """The loaded schema and an admin's token, over a campaign with a few responses."""
    unit = make_unit("xa-minh", "Xã Của Mình")
    other = make_unit("xa-khac", "Xã Khác")
    make_campaign([unit, other], code="dot-1")
    admin, _ = make_user("quantri", Role.ADMIN)
    headers = bearer(api_tokens.create_token(admin, "schemathesis").secret)
    for number in range(3):
        reply = client.post("/api/v1/campaigns/dot-1/responses", headers=headers, json={
            "submission_key": f"seed-{number}", "unit_code": "xa-minh",
            "answers": answers(1 + number, tc2=4), "profile": {"respondent_type": "ca_nhan"}})
        assert reply.status_code == 201, reply.get_json()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app), headers


def test_every_operation_answers_as_documented(api):
    schema, headers = api
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9
    passes = [(GenerationMode.POSITIVE, None), (GenerationMode.POSITIVE, {"code": "dot-1"}),
              (GenerationMode.NEGATIVE, None)]
    ran = 0
    for operation in operations:
        for mode, path_parameters in passes:
            if path_parameters and "{code}" not in operation.path:
                continue
            if time.monotonic() - started > BUDGET_SECONDS:
                pytest.fail(f"schemathesis time budget of {BUDGET_SECONDS} s spent after "
                            f"{ran} passes")
            strategy = operation.as_strategy(generation_mode=mode,
                                             path_parameters=path_parameters)

            @given(strategy)
            @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
                      database=None, suppress_health_check=list(HealthCheck),
                      phases=[Phase.explicit, Phase.generate])
            def call(case):
                case.call_and_validate(headers=headers, checks=CHECKS)

            call()
            ran += 1
