"""Conformance: ODK Central's own OpenRosa submission tests, ported to this server.

Source: getodk/central-backend (commit 4f5943d1), ``test/integration/api/submissions.js``
for the cases and ``test/data/xml.js`` for the instance shapes (``instance()`` with a plain
``meta``, ``fullInstance()`` with ``orx:meta`` and a version, the encrypted envelope, the
client-audit ``meta/audit``). Each test names its ``it(...)``. Central's project is here a
campaign at a unit (``/openrosa/<campaign>/<unit>``) and its form the campaign's instrument;
where this server deliberately differs (no edits, no encrypted forms, one form version per
campaign, attachments not stored) the test says so and checks the refusal is clear.
"""

from __future__ import annotations

import io

from sqlalchemy import select

from survey_app.domain.submissions.openrosa import KEY_PREFIX
from survey_app.extensions import db
from survey_app.models import (
    AuditEvent,
    CampaignState,
    CampaignUnit,
    Channel,
    ResponseStatus,
    Role,
)
from tests.openrosa.openrosa_support import (
    PROTOCOL,
    Collector,
    basic,
    filled,
    full_answers,
    message_of,
    response_count,
    stored_responses,
)

# ------------------------------------------------------------------------------------------
# describe('api: /submission') › describe('HEAD')


def test_head_returns_204_with_no_content(odk):
    # submissions.js › HEAD › it('should return a 204 with no content')
    reply = odk.head()
    assert reply.status_code == 204
    assert reply.data == b""
    assert reply.headers["X-OpenRosa-Version"] == "1.0"
    assert int(reply.headers["X-OpenRosa-Accept-Content-Length"]) == 1024 * 1024


def test_head_fails_without_the_openrosa_version_header(odk):
    # submissions.js › HEAD › it('should fail if not given X-OpenRosa-Version header')
    reply = odk.client.head(odk.base + "/submission")
    assert reply.status_code == 400
    assert reply.headers["X-OpenRosa-Version"] == "1.0"


def test_head_fails_if_no_auth_is_provided(odk):
    # submissions.js › HEAD › it('should fail if no auth is provided')
    reply = odk.client.head(odk.base + "/submission", headers=PROTOCOL)
    assert reply.status_code == 401
    assert reply.headers["WWW-Authenticate"].startswith("Basic realm=")


def test_head_fails_given_broken_credentials(odk):
    # submissions.js › HEAD › it('should fail on authentication given broken credentials')
    # (Central's broken credential is an unknown app-user key, answered 403; here it is a
    # wrong password or a malformed Basic header, answered 401 with a new challenge.)
    for headers in (basic(odk.username, "sai-mat-khau"), {"Authorization": "Basic !!!"},
                    basic("khong-co-ai", "x")):
        reply = odk.client.head(odk.base + "/submission", headers={**PROTOCOL, **headers})
        assert reply.status_code == 401, headers
        assert "WWW-Authenticate" in reply.headers


# ------------------------------------------------------------------------------------------
# describe('api: /submission') › describe('POST')


def test_post_rejects_if_no_xml_file_is_given(odk, instance):
    # submissions.js › POST › it('should reject if no xml file is given')
    reply = odk.post_raw(instance(), "text/xml")
    assert reply.status_code == 400
    assert "xml_submission_file" in message_of(reply)
    # …nor when the multipart body carries other fields only.
    reply = odk.submit(None, extra={"other": "x"})
    assert reply.status_code == 400
    assert "xml_submission_file" in message_of(reply)
    assert response_count() == 0


def test_post_rejects_if_the_xml_is_not_valid(odk):
    # submissions.js › POST › it('should reject if the xml is not valid')
    reply = odk.submit("<test")
    assert reply.status_code == 400
    assert "XML" in message_of(reply)
    assert response_count() == 0


def test_post_rejects_a_multipart_body_without_boundary(odk):
    # submissions.js › POST › it('should reject if "Multipart: Boundary not found"')
    reply = odk.post_raw(b"", "multipart/form-data")
    assert reply.status_code == 400
    assert "xml_submission_file" in message_of(reply)


def test_post_rejects_an_unexpected_end_of_form(odk):
    # submissions.js › POST › it('should reject if "Unexpected end of form"')
    reply = odk.post_raw(b"",
                         "multipart/form-data; boundary=----geckoformboundary57597312afb59088")
    assert reply.status_code == 400
    assert response_count() == 0


def test_post_rejects_a_malformed_part_header(odk):
    # submissions.js › POST › it('should reject if "Malformed part header"')
    body = ("--BOUNDARY\r\n"
            'Content-Disposition: form-data; name="xml_submission_file"; '
            'filename="xml_submission_file"\r\n'
            "Content-Type: text/xml\r\n\r\n"
            "--BOUNDARY\r\n"
            'Content-Disposition: form-data; name="__csrf"\r\n\r\n'
            "content\r\n"
            "--BOUNDARY\r\n"
            'Content-Disposition: form-data; name="699-536x354-9_4_59.jpg"; '
            'filename="699-536x354-9_4_59.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
            "--BOUNDARY--\r\n\r\n")
    reply = odk.post_raw(body, "multipart/form-data; boundary=BOUNDARY")
    assert reply.status_code == 400
    assert response_count() == 0


def test_post_returns_notfound_if_the_form_does_not_exist(odk):
    # submissions.js › POST › it('should return notfound if the form does not exist')
    reply = odk.submit('<data id="nonexistent"><field/></data>')
    assert reply.status_code == 404
    assert "nonexistent" in message_of(reply)


def test_post_rejects_if_the_user_cannot_submit(odk, instance, make_unit, make_user):
    # submissions.js › POST › it('should reject if the user cannot submit'): no credentials.
    reply = odk.client.post(odk.base + "/submission", headers=PROTOCOL,
                            data={"xml_submission_file": (io.BytesIO(instance().encode()),
                                                          "data.xml")})
    assert reply.status_code == 401
    # …and /forms/:id/submissions › POST › it('should reject if the user cannot submit'):
    # an account without the right (a viewer; the staff of another unit) gets 403.
    _, password = make_user("nguoi-xem", Role.VIEWER)
    _, other_password = make_user("canbo-khac", units=[make_unit("xa-khac", "Xã Khác")])
    for name, secret in (("nguoi-xem", password), ("canbo-khac", other_password)):
        reply = odk.client.post(odk.base + "/submission",
                                headers={**PROTOCOL, **basic(name, secret)},
                                data={"xml_submission_file": (io.BytesIO(instance().encode()),
                                                              "data.xml")})
        assert reply.status_code == 403, name
    assert response_count() == 0


def test_post_rejects_if_the_form_is_not_taking_submissions(odk, instance, field_site):
    # submissions.js › POST › it('should reject if the form is not taking submissions')
    field_site.campaign.state = CampaignState.CLOSED
    db.session.commit()
    reply = odk.submit(instance())
    assert reply.status_code == 409
    assert "không nhận phiếu" in message_of(reply)
    assert response_count() == 0


def test_post_rejects_if_the_submission_version_does_not_exist(odk, instance):
    # submissions.js › POST › it('should reject if the submission version does not exist')
    reply = odk.submit(instance().replace('version="2"', 'version="-1"', 1))
    assert reply.status_code == 404
    assert "Phiên bản biểu mẫu “-1”" in message_of(reply)


def test_post_saves_the_submission_to_the_appropriate_form(odk, instance, field_site):
    # submissions.js › POST › it('should save the submission to the appropriate form')
    reply = odk.submit(instance("uuid:0b1c7e44-one"))
    assert reply.status_code == 201
    assert reply.headers["Content-Type"].startswith("text/xml")
    assert message_of(reply) == "Đã nhận phiếu."
    [response] = stored_responses()
    assert response.submission_key == KEY_PREFIX + "uuid:0b1c7e44-one"
    assert response.channel is Channel.ODK
    assert (response.campaign_id, response.unit_id) == (field_site.campaign.id,
                                                        field_site.unit.id)
    assert response.status is ResponseStatus.VALID and response.n_rated == 22
    assert response.answer_values() == dict.fromkeys(response.answer_values(), 4)


def test_post_saves_with_an_empty_device_id(odk, instance):
    # submissions.js › POST › it('should save the submission to the appropriate form with
    # device id as null when query string is empty')
    reply = odk.client.post(odk.base + "/submission?deviceID=", headers={**PROTOCOL,
                                                                          **odk.auth},
                            data={"xml_submission_file": (io.BytesIO(instance().encode()),
                                                          "data.xml")})
    assert reply.status_code == 201


def test_post_stores_no_device_id_nor_user_agent(odk, instance):
    # submissions.js › POST › it('should save the submission to the appropriate form with
    # device id and user agent'): Central keeps them; responses here are anonymous, so
    # neither the device id, the user agent nor the network address is stored.
    reply = odk.client.post(odk.base + "/submission?deviceID=imei%3A358240051111110",
                            headers={**PROTOCOL, **odk.auth, "User-Agent": "central/test"},
                            data={"xml_submission_file": (io.BytesIO(instance().encode()),
                                                          "data.xml")})
    assert reply.status_code == 201
    [response] = stored_responses()
    assert response.client_hash is None
    assert "358240051111110" not in repr([getattr(response, c.key)
                                          for c in response.__table__.columns])


def test_post_refuses_another_form_version(odk, instance):
    # submissions.js › POST › it('should accept a submission for an old form version'):
    # Central keeps every published version of a form; a campaign here has exactly one, so
    # an instance of another version is refused with what to do.
    reply = odk.submit(instance().replace('version="2"', 'version="1"', 1))
    assert reply.status_code == 404
    assert "Hãy tải lại biểu mẫu" in message_of(reply)


def test_post_stores_the_correct_form_version_and_actor(odk, instance, field_site):
    # submissions.js › POST › it('should store the correct formdef and actor ids')
    assert odk.submit(instance()).status_code == 201
    [response] = stored_responses()
    assert response.instrument_version_id == field_site.campaign.instrument_version_id
    assert response.entered_by_id == field_site.user.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "response.collect"))
    assert event.user_id == field_site.user.id and event.object_id == str(response.id)


def test_post_ignores_unknown_attachments(odk, instance):
    # submissions.js › POST › it('should ignore unknown attachments')
    reply = odk.submit(instance(), extra={
        "some_random_file": (io.BytesIO(b"this is test file one"), "some_random_file"),
        "other_random_file": (io.BytesIO(b"this is test file two"), "other_random_file")})
    assert reply.status_code == 201
    assert response_count() == 1


def test_post_does_not_store_given_attachments(odk, instance):
    # submissions.js › POST › it('should save given attachments'): the forms have no media
    # question, so files sent along are not read nor stored; the response is.
    reply = odk.submit(instance(), extra={
        "my_file1.mp4": (io.BytesIO(b"this is test file one"), "my_file1.mp4"),
        "here_is_file2.jpg": (io.BytesIO(b"this is test file two"), "here_is_file2.jpg")})
    assert reply.status_code == 201
    assert response_count() == 1


def test_post_accepts_client_audit_metadata_without_its_file(odk, xform):
    # submissions.js › POST › it('should create empty client audit log slots'), with
    # xml.js instances.clientAudits (``meta/audit``): the audit log is not kept.
    xml = filled(xform, full_answers(), "uuid:audit-one").replace(
        "</instanceID>", "</instanceID><audit>audit.csv</audit>")
    assert odk.submit(xml).status_code == 201
    assert response_count() == 1


def test_post_rejects_if_the_xml_changes_between_posts(odk, instance):
    # submissions.js › POST › it('should reject if the xml changes between posts')
    first = instance("uuid:one")
    assert odk.submit(first).status_code == 201
    reply = odk.submit('<data id="sipas-2640" version="2"><meta><instanceID>uuid:one'
                       "</instanceID></meta></data>")
    assert reply.status_code == 409
    assert "nội dung XML khác" in message_of(reply)
    # The same answers in other bytes are other XML too (Central compares byte for byte).
    reply = odk.submit(first.replace("<intro />", "<intro/>"))
    assert reply.status_code == 409
    assert response_count() == 1


def test_post_takes_the_same_xml_again_without_a_new_row(odk, instance):
    # submissions.js › POST › it('should take in additional attachments via additional
    # POSTs'): the same instanceID with identical XML is 201 again, and stores nothing new.
    xml = instance("uuid:both")
    first = odk.submit(xml)
    again = odk.submit(xml, extra={"here_is_file2.jpg": (io.BytesIO(b"file two"),
                                                         "here_is_file2.jpg")})
    assert (first.status_code, again.status_code) == (201, 201)
    assert "đã được nhận trước đó" in message_of(again)
    assert response_count() == 1


def test_post_refuses_encrypted_submissions(odk):
    # submissions.js › POST › it('should accept encrypted submissions, with attachments'),
    # with xml.js instances.encrypted.one: the forms here are never encrypted, so such an
    # envelope cannot be read and is refused with that reason.
    envelope = (
        '<data id="sipas-2640" version="2" encrypted="yes" '
        'xmlns="http://www.opendatakit.org/xforms/encrypted">'
        "<base64EncryptedKey>pFT0+tIo8l104xRF8MkyG955oI0eLvdp</base64EncryptedKey>"
        '<orx:meta xmlns:orx="http://openrosa.org/xforms"><orx:instanceID>'
        "uuid:dcf4a151-5088-453f-99e6-369d67828f7a</orx:instanceID></orx:meta>"
        "<media><file>1561432508817.jpg.enc</file></media>"
        "<encryptedXmlFile>submission.xml.enc</encryptedXmlFile>"
        "<base64EncryptedElementSignature>UHIobs8lmLCeKGoPxVFiwXp5</base64EncryptedElementSignature>"
        "</data>")
    reply = odk.submit(envelope, extra={
        "submission.xml.enc": (io.BytesIO(b"this is test file one"), "submission.xml.enc")})
    assert reply.status_code == 400
    assert "mã hóa" in message_of(reply)
    assert response_count() == 0


# ------------------------------------------------------------------------------------------
# describe('api: /submission') › describe('POST') › context('versioning'): edits


def _edit(xml: str, deprecated: str, new_id: str) -> str:
    """submissions.js's ``withSimpleIds``: the instance as an edit of ``deprecated``."""
    start = xml.index("<instanceID>")
    end = xml.index("</instanceID>")
    return (xml[:start] + f"<instanceID>{new_id}</instanceID><deprecatedID>{deprecated}"
            "</deprecatedID>" + xml[end + len("</instanceID>"):])


def test_edit_with_an_unknown_deprecated_id_is_refused(odk, instance):
    # submissions.js › versioning › it('should reject if the deprecatedId is not known')
    assert odk.submit(instance("one")).status_code == 201
    reply = odk.submit(_edit(instance(), "unknown", "two"))
    assert reply.status_code == 400
    assert "deprecatedID" in message_of(reply)
    assert response_count() == 1


def test_edit_of_a_stored_response_is_refused_and_keeps_the_first(odk, instance):
    # submissions.js › versioning › it('should accept the new submission'): Central makes
    # the edit the current version; here a sent response is never replaced from a phone.
    assert odk.submit(instance("one", tc1="4")).status_code == 201
    reply = odk.submit(_edit(instance(tc1="1"), "one", "two"))
    assert reply.status_code == 400
    assert "phiếu gửi lần đầu được giữ nguyên" in message_of(reply)
    [response] = stored_responses()
    assert response.answer_values()["tc1"] == 4


def test_edit_that_is_not_current_is_refused(odk, instance):
    # submissions.js › versioning › it('should reject if the deprecatedId is not current')
    assert odk.submit(instance("one")).status_code == 201
    for new_id in ("two", "three"):
        assert odk.submit(_edit(instance(), "one", new_id)).status_code == 400
    assert response_count() == 1


def test_edit_whose_new_instance_id_is_a_duplicate_is_refused(odk, instance):
    # submissions.js › versioning › it('should reject if the new instanceId is a duplicate')
    assert odk.submit(instance("one")).status_code == 201
    assert odk.submit(instance("two")).status_code == 201
    assert odk.submit(_edit(instance(), "two", "one")).status_code == 400
    assert response_count() == 2


def test_the_same_instance_id_at_another_unit_is_a_conflict(odk, instance, field_site,
                                                            make_unit, make_user, client):
    # submissions.js › versioning › it('should not reject for an instanceID conflict on
    # another form'): Central scopes instanceIDs to a form; here they are the submission key
    # of the whole platform (ODK makes them UUIDs), and one instance sent to two units is
    # one interview counted twice, so the second is a conflict.
    other = make_unit("xa-tay", "Xã Tây")
    db.session.add(CampaignUnit(campaign=field_site.campaign, unit=other, transactions_n=100))
    db.session.commit()
    user, password = make_user("dieutra-tay", units=[other])
    west = Collector(client, "/openrosa/dot-1/xa-tay", user.username, password)
    xml = instance("uuid:same")
    assert odk.submit(xml).status_code == 201
    reply = west.submit(xml)
    assert reply.status_code == 409
    assert response_count() == 1


# ------------------------------------------------------------------------------------------
# describe('api: /forms/:id/submissions') › describe('POST'), through the OpenRosa address


def test_body_that_is_not_xml_is_refused(odk):
    # submissions.js › /forms/:id/submissions › POST › it('should reject if the submission
    # body is not valid xml')
    reply = odk.submit("<aoeu")
    assert reply.status_code == 400


def test_form_ids_that_do_not_match_are_refused(odk):
    # submissions.js › /forms/:id/submissions › POST › it('should reject if the form ids do
    # not match'): the address names the campaign's form; another form id is not found.
    reply = odk.submit('<data id="simple3"><meta><instanceID>three</instanceID></meta></data>')
    assert reply.status_code == 404
    assert "sipas-2640" in message_of(reply)


def test_duplicate_submission_is_one_response(odk, instance):
    # submissions.js › /forms/:id/submissions › POST › it('should reject duplicate
    # submissions'): Central's REST route answers 409; through OpenRosa, the same instance
    # again is the retry of a phone that lost the reply: 201, and still one response.
    xml = instance("uuid:dup")
    assert [odk.submit(xml).status_code for _ in range(3)] == [201, 201, 201]
    assert response_count() == 1


# ------------------------------------------------------------------------------------------
# test/data/xml.js: the instance shapes


def test_plain_meta_and_orx_meta_are_both_read(odk, instance):
    # xml.js: instance() writes <meta><instanceID>, fullInstance() writes
    # <orx:meta xmlns:orx="http://openrosa.org/xforms"><orx:instanceID> and a version.
    assert odk.submit(instance("uuid:plain")).status_code == 201
    assert odk.submit(instance("uuid:orx", meta_namespace=True)).status_code == 201
    assert {r.submission_key for r in stored_responses()} == {"odk:uuid:plain", "odk:uuid:orx"}


def test_instance_without_version_is_refused(odk, instance):
    # xml.js: instance('simple', 'one', …) carries no version attribute; this form has one.
    reply = odk.submit(instance().replace(' version="2"', "", 1))
    assert reply.status_code == 404
    assert "phiên bản 2" in message_of(reply)


def test_instance_id_directly_under_the_root_is_read(odk, xform):
    # Central's Submission.fromXml also reads /data/instanceID (lib/model/frames/
    # submission.js), as used by older clients.
    xml = filled(xform, full_answers(), "x").replace("<meta><instanceID>x</instanceID></meta>",
                                                     "<instanceID>uuid:root-level</instanceID>")
    assert odk.submit(xml).status_code == 201
    assert stored_responses()[0].submission_key == "odk:uuid:root-level"
