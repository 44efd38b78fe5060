"""In production, the OpenRosa server takes a password only over HTTPS (docs/odk.md)."""

from __future__ import annotations

import io

import pytest

from tests.openrosa.openrosa_support import (
    PROTOCOL,
    filled,
    full_answers,
    message_of,
    response_count,
)


@pytest.fixture
def config_overrides(config_overrides):
    return {**config_overrides, "PRODUCTION": True}


def test_plain_http_is_refused_with_the_reason(odk):
    # (Flask's test client would take PREFERRED_URL_SCHEME, https in production.)
    reply = odk.client.get(odk.base + "/formList", headers={**PROTOCOL, **odk.auth},
                           base_url="http://khaosat.example.vn")
    assert reply.status_code == 403
    assert "HTTPS" in message_of(reply)
    assert "WWW-Authenticate" not in reply.headers


def test_https_works(odk):
    secure = {"base_url": "https://khaosat.example.vn"}
    reply = odk.client.get(odk.base + "/formList", headers={**PROTOCOL, **odk.auth}, **secure)
    assert reply.status_code == 200
    assert b"https://khaosat.example.vn/openrosa/dot-1/xa-dong/forms/sipas-2640.xml" in reply.data
    xml = odk.client.get(odk.base + "/forms/sipas-2640.xml",
                         headers={**PROTOCOL, **odk.auth}, **secure).get_data(as_text=True)
    body = filled(xml, full_answers())
    reply = odk.client.post(odk.base + "/submission", headers={**PROTOCOL, **odk.auth},
                            data={"xml_submission_file": (io.BytesIO(body.encode()), "x.xml")},
                            **secure)
    assert reply.status_code == 201
    assert response_count() == 1
