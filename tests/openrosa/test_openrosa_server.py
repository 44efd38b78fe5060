"""The OpenRosa server beyond ODK Central's cases: the form list (``formID``, ``since``), the
XForm checked by pyxform's ODK Validate, the instance read back as pyxform reads it, who may
use which address, and the ``odk`` channel everywhere responses are counted."""

from __future__ import annotations

import hashlib
import random
import shutil
from datetime import timedelta

import pytest
from defusedxml.ElementTree import fromstring
from pyxform.xform_instance_parser import parse_xform_instance
from sqlalchemy import select

from survey_app.domain.results.exports.raw_responses import raw_response_rows
from survey_app.domain.results.results import compute_campaign_results
from survey_app.extensions import db
from survey_app.models import (
    AuditEvent,
    CampaignState,
    Channel,
    LoginFailure,
    ResponseStatus,
    Role,
    User,
    utcnow,
)
from tests.openrosa.openrosa_support import (
    LIST,
    PROTOCOL,
    RATING_CODES,
    Collector,
    basic,
    filled,
    full_answers,
    message_of,
    primary_instance,
    response_count,
    stored_responses,
)

MANIFEST = "{http://openrosa.org/xforms/xformsManifest}"


def listed(reply) -> list:
    assert reply.status_code == 200, reply.data
    assert reply.mimetype == "text/xml"
    return fromstring(reply.data).findall(f"{LIST}xform")


# -- form list, form, manifest -------------------------------------------------------------


def test_form_list_offers_the_campaigns_form_with_its_hash(odk, field_site):
    [entry] = listed(odk.get("/formList"))
    assert entry.findtext(f"{LIST}formID") == "sipas-2640"
    assert entry.findtext(f"{LIST}version") == "2"
    assert entry.findtext(f"{LIST}descriptionText") == f"Đợt dot-1 – {field_site.unit.name}"
    download = entry.findtext(f"{LIST}downloadUrl")
    assert download == "http://localhost/openrosa/dot-1/xa-dong/forms/sipas-2640.xml"
    form = odk.get(download.removeprefix("http://localhost" + odk.base))
    assert form.status_code == 200 and form.mimetype == "text/xml"
    md5 = hashlib.md5(form.data, usedforsecurity=False).hexdigest()
    assert entry.findtext(f"{LIST}hash") == f"md5:{md5}"
    manifest = odk.get(entry.findtext(f"{LIST}manifestUrl").removeprefix(
        "http://localhost" + odk.base))
    assert manifest.status_code == 200
    root = fromstring(manifest.data)
    assert root.tag == f"{MANIFEST}manifest" and len(root) == 0
    for reply in (form, manifest):
        assert reply.headers["X-OpenRosa-Version"] == "1.0"
        assert reply.headers["X-OpenRosa-Accept-Content-Length"] == str(1024 * 1024)


def test_form_list_honours_form_id(odk):
    assert len(listed(odk.get("/formList?formID=sipas-2640"))) == 1
    assert listed(odk.get("/formList?formID=khac")) == []
    assert len(listed(odk.get("/formList?formID=&verbose=true&listAllVersions=true"))) == 1


def test_form_list_honours_since(odk, field_site):
    created = field_site.campaign.created_at
    before = (created - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    after = (created + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert len(listed(odk.get("/formList", query_string={"since": before}))) == 1
    assert listed(odk.get("/formList", query_string={"since": after})) == []
    later = (created + timedelta(hours=8)).astimezone().strftime("%d/%m/%Y %H:%M")
    assert listed(odk.get("/formList", query_string={"since": later})) == []
    for nonsense in ("hôm qua", "2026-13-45", "\u0663", ""):
        reply = odk.get("/formList", query_string={"since": nonsense})
        assert reply.status_code == 400, nonsense
        assert "since" in message_of(reply)


def test_form_list_is_empty_once_the_campaign_is_closed_or_past_its_deadline(odk, field_site):
    campaign = field_site.campaign
    campaign.deadline = campaign.starts_on
    db.session.commit()
    assert listed(odk.get("/formList")) == []
    campaign.deadline = campaign.starts_on + timedelta(days=60)
    campaign.state = CampaignState.CLOSED
    db.session.commit()
    assert listed(odk.get("/formList")) == []
    # The form itself can still be opened (a collector's device may need it again).
    assert odk.get("/forms/sipas-2640.xml").status_code == 200


def test_a_draft_campaign_or_a_unit_outside_it_is_not_found(odk, field_site, make_unit):
    field_site.campaign.state = CampaignState.DRAFT
    db.session.commit()
    assert odk.get("/formList").status_code == 404
    field_site.campaign.state = CampaignState.OPEN
    db.session.commit()
    make_unit("xa-ngoai", "Xã Ngoài")
    for base in ("/openrosa/dot-1/xa-ngoai", "/openrosa/khong-co/xa-dong"):
        outside = Collector(odk.client, base, odk.username, odk.password)
        reply = outside.get("/formList")
        assert reply.status_code in (403, 404), base
        assert "<OpenRosaResponse" in reply.get_data(as_text=True)


def test_another_form_id_in_the_address_is_not_found(odk):
    for path in ("/forms/khac.xml", "/forms/khac/manifest"):
        reply = odk.get(path)
        assert reply.status_code == 404
        assert "khac" in message_of(reply)


def test_an_unknown_address_under_the_prefix_still_speaks_openrosa_headers(odk):
    reply = odk.get("/khong-co-gi")
    assert reply.status_code == 404
    assert reply.headers["X-OpenRosa-Version"] == "1.0"


def test_the_served_form_keeps_the_campaigns_blocks_only(client, make_unit, make_campaign,
                                                         make_user):
    unit = make_unit("xa-khoi", "Xã Khối")
    make_campaign([unit], code="co-khoi", instrument="sipas-1001-dvhcc",
                  optional_blocks=["harassment"])
    user, password = make_user("dieutra-khoi", units=[unit])
    odk = Collector(client, "/openrosa/co-khoi/xa-khoi", user.username, password)
    xform = odk.xform()
    names = {element.tag.split("}")[-1] for element in primary_instance(xform)}
    assert "harassment" in names and "expectations" not in names
    block_items = [element.tag.split("}")[-1]
                   for element in primary_instance(xform).find(
                       "{http://www.w3.org/2002/xforms}harassment")]
    answers = {**full_answers(), block_items[0]: "1"}
    answers = {code: value for code, value in answers.items()
               if code in {e.tag.split("}")[-1] for e in primary_instance(xform).iter()}}
    assert odk.submit(filled(xform, answers)).status_code == 201
    [response] = stored_responses()
    assert response.answer_values()[block_items[0]] == 1
    # An element of a block the campaign did not choose is not part of its form.
    other = filled(xform, answers).replace("</data>", "<expectations><ex1>1</ex1>"
                                                      "</expectations></data>")
    reply = odk.submit(other)
    assert reply.status_code == 400 and "expectations" in message_of(reply)


@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate needs Java")
@pytest.mark.parametrize("instrument, blocks", [("sipas-2640", []),
                                                ("sipas-1001-dvhcc",
                                                 ["harassment", "expectations"])])
def test_the_served_xform_passes_odk_validate(client, make_unit, make_campaign, make_user,
                                              tmp_path, instrument, blocks):
    """pyxform's own check: ODK Validate (JavaRosa, as in ODK Collect) parses the form."""
    from pyxform.validators.odk_validate import check_xform

    unit = make_unit("xa-kiem", "Xã Kiểm")
    make_campaign([unit], code="kiem", instrument=instrument, optional_blocks=blocks)
    user, password = make_user("dieutra-kiem", units=[unit])
    xform = Collector(client, "/openrosa/kiem/xa-kiem", user.username, password).xform()
    path = tmp_path / "form.xml"
    path.write_text(xform, encoding="utf-8")
    assert check_xform(str(path)) == []
    assert 'nodeset="/data/meta/instanceID"' in xform and 'jr:preload="uid"' in xform


def test_answers_are_stored_as_pyxform_reads_the_instance(odk, xform):
    """The instance parser of pyxform itself is the reference for what each answer says."""
    chooser = random.Random(2640)
    options = {"respondent_type": ["ca_nhan", "to_chuc"], "gender": ["nam", "nu", "khac", ""],
               "age_band": ["18-24", "25-34", "35-49", "50-60", "60+", ""],
               "field": ["dat_dai", "ho_tich", ""], "submission_mode": ["truc_tiep", ""]}
    for number in range(12):
        answers = {code: chooser.choice(["1", "2", "3", "4", "5", "NA", ""])
                   for code in RATING_CODES}
        answers.update({code: chooser.choice(values) for code, values in options.items()})
        answers["comment"] = chooser.choice(["", f"Ý kiến số {number} – cảm ơn <cán bộ> & ban"])
        xml = filled(xform, answers, f"uuid:pyxform-{number}")
        assert odk.submit(xml).status_code == 201, xml
        reference = parse_xform_instance(xml)
        stored = stored_responses()[-1]
        expected = {path.split("/")[-1]: (0 if value == "NA" else int(value))
                    for path, value in reference.items()
                    if path.split("/")[-1] in RATING_CODES and value}
        assert stored.answer_values() == expected
        for code in options:
            assert (getattr(stored, code) or None) == (reference.get(code) or None), code
        assert (stored.comment or None) == (reference.get("comment") or None)


# -- who may use an address ----------------------------------------------------------------


def test_unit_staff_only_at_their_units_and_admins_everywhere(odk, field_site, make_unit,
                                                              make_user, instance):
    _, other_password = make_user("canbo-bac", units=[make_unit("xa-bac", "Xã Bắc")])
    stranger = Collector(odk.client, odk.base, "canbo-bac", other_password)
    for reply in (stranger.get("/formList"), stranger.get("/forms/sipas-2640.xml"),
                  stranger.head(), stranger.submit(instance())):
        assert reply.status_code == 403
        assert reply.request.method == "HEAD" or "không phụ trách" in message_of(reply)
    _, admin_password = make_user("quantri", Role.ADMIN)
    admin = Collector(odk.client, odk.base, "quantri", admin_password)
    assert len(listed(admin.get("/formList"))) == 1
    assert admin.submit(instance()).status_code == 201
    assert response_count() == 1


def test_viewers_and_accounts_that_must_change_their_password_are_refused(odk, field_site,
                                                                          make_user):
    _, password = make_user("nguoi-xem", Role.VIEWER)
    viewer = Collector(odk.client, odk.base, "nguoi-xem", password)
    assert viewer.get("/formList").status_code == 403
    field_site.user.must_change_password = True
    db.session.commit()
    reply = odk.get("/formList")
    assert reply.status_code == 403 and "đặt mật khẩu" in message_of(reply)


def test_an_inactive_account_is_refused_like_a_wrong_password(odk, field_site):
    field_site.user.active = False
    db.session.commit()
    reply = odk.get("/formList")
    assert reply.status_code == 401 and "WWW-Authenticate" in reply.headers


def test_failures_are_throttled_like_the_web_sign_in(odk, field_site, app):
    limit = int(app.config["LOGIN_FAILURE_LIMIT"])
    wrong = Collector(odk.client, odk.base, odk.username, "sai-mat-khau")
    for _ in range(limit):
        assert wrong.get("/formList").status_code == 401
    reply = odk.get("/formList")  # the right password, but the account now waits
    assert reply.status_code == 429
    assert int(reply.headers["Retry-After"]) > 0
    assert "Đăng nhập sai quá nhiều lần" in message_of(reply)
    db.session.rollback()
    notes = db.session.scalars(select(AuditEvent.note).where(
        AuditEvent.action.in_(("login.failure", "login.refused")))).all()
    assert len(notes) == limit + 1 and all("OpenRosa" in note for note in notes)
    # Once the window has passed, the right password works and clears the account.
    db.session.execute(LoginFailure.__table__.update().values(
        failed_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    assert wrong.get("/formList").status_code == 401
    assert odk.get("/formList").status_code == 200
    db.session.rollback()
    keys = db.session.scalars(select(LoginFailure.key).where(
        LoginFailure.failed_at > utcnow() - timedelta(minutes=5))).all()
    assert not [key for key in keys if key.startswith("user:")]


def test_a_password_hashed_under_an_old_cost_is_rehashed(app, odk, field_site):
    old = field_site.user.password_hash
    app.config["ARGON2_TIME_COST"] = 2
    assert odk.get("/formList").status_code == 200
    db.session.rollback()
    rehashed = db.session.get(User, field_site.user.id).password_hash
    assert rehashed != old and ",t=2," in rehashed
    assert odk.get("/formList").status_code == 200


def test_a_success_writes_nothing(odk):
    db.session.rollback()
    before = db.session.scalar(select(db.func.count()).select_from(AuditEvent))
    for _ in range(3):
        assert odk.get("/formList").status_code == 200
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)) == before
    assert db.session.scalars(select(LoginFailure)).all() == []


def test_a_session_cookie_opens_nothing(odk, field_site, login_as):
    login_as(field_site.user)
    reply = odk.client.get(odk.base + "/formList", headers=PROTOCOL)
    assert reply.status_code == 401


def test_bad_credentials_in_every_shape_are_refused(odk):
    for authorization in ("Basic", "Basic ", "Basic ***", "Bearer abc", "Digest username=x",
                          "Basic " + "QQ==" * 5000, basic("", "x")["Authorization"],
                          basic("dieutra-dong\x00", "x")["Authorization"],
                          basic("x" * 500, "y" * 5000)["Authorization"]):
        reply = odk.client.get(odk.base + "/formList",
                               headers={**PROTOCOL, "Authorization": authorization})
        assert reply.status_code == 401, authorization[:30]


# -- what is stored ------------------------------------------------------------------------


def test_too_few_ratings_are_kept_as_invalid(odk, xform):
    answers = {"tc1": "4", "respondent_type": "ca_nhan"}
    assert odk.submit(filled(xform, answers)).status_code == 201
    [response] = stored_responses()
    assert response.status is ResponseStatus.INVALID and response.n_rated == 1


def test_a_wrong_value_unknown_element_or_duplicate_is_refused(odk, instance):
    cases = [
        (instance(tc1="6"), "tc1"),
        (instance(tc1="abc"), "tc1"),
        (instance(tc1="4 5"), "tc1"),
        (instance(respondent_type="ai-do"), "lựa chọn"),
        (instance().replace("</data>", "<start>2026-01-01</start></data>"), "start"),
        (instance().replace("<tc1>4</tc1>", "<tc1>4</tc1><tc1>5</tc1>"), "hai lần"),
        (instance().replace("<tc1>4</tc1>", "<tc1><x>4</x></tc1>"), "tc/tc1"),
        (instance().replace("<tc1>4</tc1>", "<tt1>4</tt1>"), "tc/tt1"),
        (instance(comment="x" * 2001), "2.000"),
    ]
    for xml, said in cases:
        reply = odk.submit(xml)
        assert reply.status_code == 400, said
        assert said in message_of(reply), (said, message_of(reply))
    assert response_count() == 0


def test_the_field_must_be_one_of_the_units(odk, field_site, instance):
    field_site.unit.field_codes = ["ho_tich"]
    db.session.commit()
    assert odk.submit(instance(field="dat_dai")).status_code == 400
    assert odk.submit(instance(field="ho_tich")).status_code == 201


def test_the_comment_is_cleaned_like_the_web_forms(odk, instance):
    assert odk.submit(instance(comment="  Tốt\u202eđảo  ")).status_code == 201
    assert stored_responses()[0].comment == "Tốtđảo"


def test_instance_ids_are_checked(odk, instance):
    for bad in ("", "   ", "uuid:" + "a" * 60, "có dấu", "a b", "<x>", "-leading"):
        xml = instance("PLACEHOLDER").replace("PLACEHOLDER", bad.replace("<", "&lt;"))
        reply = odk.submit(xml)
        assert reply.status_code == 400, bad
        assert "instanceID" in message_of(reply)
    no_meta = instance("uuid:x").replace("<meta><instanceID>uuid:x</instanceID></meta>", "")
    assert odk.submit(no_meta).status_code == 400
    assert response_count() == 0


def test_burst_rules_do_not_flag_a_tablets_batch(odk, instance):
    """A day of interviews arrives at once from one tablet: not a burst of one person."""
    for number in range(8):
        assert odk.submit(instance(f"uuid:batch-{number}", value="5")).status_code == 201
    assert {r.status for r in stored_responses()} == {ResponseStatus.VALID}


def test_a_replay_after_the_campaign_closed_is_still_answered(odk, field_site, instance):
    xml = instance("uuid:late")
    assert odk.submit(xml).status_code == 201
    db.session.rollback()  # a fresh snapshot before writing after the request's write
    field_site.campaign.state = CampaignState.CLOSED
    db.session.commit()
    assert odk.submit(xml).status_code == 201
    assert odk.submit(instance("uuid:new")).status_code == 409
    assert response_count() == 1


def test_the_odk_channel_is_counted_everywhere(odk, field_site, instance, client, login_as):
    assert odk.submit(instance()).status_code == 201
    db.session.rollback()  # read what the request committed
    login_as(field_site.user)
    progress = client.get("/staff/progress").get_data(as_text=True)
    assert "ODK/KoboCollect" in progress
    results = compute_campaign_results(field_site.campaign, by="channel")
    assert [(g["key"], g["label"]) for g in results["by"]["groups"]] == [
        ("odk", "ODK/KoboCollect")]
    rows = list(raw_response_rows(field_site.campaign))
    assert rows[1][2] == Channel.ODK.value


# -- the body's size -----------------------------------------------------------------------


def test_a_body_over_the_limit_is_refused_before_it_is_read(odk, instance):
    huge = instance(comment="x" * 10).replace("</data>", "<pad>" + "y" * (1024 * 1024)
                                              + "</pad></data>")
    reply = odk.submit(huge)
    assert reply.status_code == 413
    assert "1.048.576" in message_of(reply)
    assert response_count() == 0


def test_a_lower_limit_is_announced_and_kept(app, odk, instance):
    app.config["OPENROSA_MAX_BODY"] = 500
    assert odk.head().headers["X-OpenRosa-Accept-Content-Length"] == "500"
    reply = odk.submit(instance())
    assert reply.status_code == 413
