"""The API's rate limit (Flask-Limiter): per token, a 429 problem with Retry-After."""

from __future__ import annotations

import pytest

PROBLEM = "application/problem+json"


@pytest.fixture
def config_overrides():
    return {"RATELIMIT_ENABLED": True, "API_RATE_LIMIT": "5 per minute"}


def test_a_token_past_its_rate_limit_gets_429_with_retry_after(client, world, token_for):
    headers = token_for(world.viewer)
    statuses = [client.get("/api/v1/units", headers=headers).status_code for _ in range(7)]
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429, 429]
    limited = client.get("/api/v1/units", headers=headers)
    assert limited.mimetype == PROBLEM and limited.get_json()["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    # Another token has its own allowance.
    assert client.get("/api/v1/units", headers=token_for(world.admin)).status_code == 200
