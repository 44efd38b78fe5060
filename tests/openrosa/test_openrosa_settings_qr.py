"""The ODK Collect configuration QR code on the staff page: what a real decoder reads from it
(base64 of zlib-compressed JSON, as ODK Collect reads it), and who may have it."""

from __future__ import annotations

import base64
import io
import json
import re
import zlib

from PIL import Image

from survey_app.extensions import db
from survey_app.models import CampaignState, Role
from survey_app.support.qr import collect_settings
from tests.openrosa.openrosa_support import Collector
from tests.staff.staff_support import decode_qr

BASE = "https://khaosat.example.vn"  # PUBLIC_BASE_URL of the test configuration


def settings_in(png: bytes) -> dict:
    """The settings ODK Collect would import from the QR image."""
    [text] = decode_qr(Image.open(io.BytesIO(png)))
    return json.loads(zlib.decompress(base64.b64decode(text)).decode("utf-8"))


def qr_links(html: str) -> list[str]:
    return sorted(set(re.findall(r'<img src="(/staff/odk/[^"]+)"', html)))


def test_collect_settings_are_base64_zlib_json():
    code = collect_settings("https://x.vn/openrosa/a/b", "canbo", "Xã Đông – Đợt 1")
    assert json.loads(zlib.decompress(base64.b64decode(code))) == {
        "general": {"server_url": "https://x.vn/openrosa/a/b", "username": "canbo"},
        "admin": {}, "project": {"name": "Xã Đông – Đợt 1"}}


def test_the_staff_page_gives_each_unit_a_code_that_configures_collect(
        client, login_as, field_site, make_unit):
    make_unit("xa-khac", "Xã Khác")  # not the user's: never listed
    login_as(field_site.user)
    page = client.get("/staff/odk")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"{BASE}/openrosa/dot-1/xa-dong" in html and "Xã Khác" not in html
    assert "HTTPS" not in html  # the public address is https: no warning
    [link] = qr_links(html)
    image = client.get(link)
    assert image.status_code == 200 and image.mimetype == "image/png"
    settings = settings_in(image.data)
    assert settings == {"general": {"server_url": f"{BASE}/openrosa/dot-1/xa-dong",
                                    "username": "dieutra-dong"},
                        "admin": {}, "project": {"name": "Xã Đông – Đợt dot-1"}}
    assert "password" not in json.dumps(settings)
    # The address in the code is the working server: Collect adds /formList to it.
    odk = field_site.odk
    path = settings["general"]["server_url"].removeprefix(BASE)
    reply = Collector(client, path, odk.username, odk.password).get("/formList")
    assert reply.status_code == 200 and b"<formID>sipas-2640</formID>" in reply.data


def test_the_page_warns_when_the_public_address_is_not_https(app, client, login_as,
                                                            field_site):
    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000"
    login_as(field_site.user)
    html = client.get("/staff/odk").get_data(as_text=True)
    assert "chưa dùng HTTPS" in html


def test_admins_see_every_unit_and_viewers_are_refused(client, login_as, field_site,
                                                       make_user):
    admin, _ = make_user("quantri", Role.ADMIN)
    login_as(admin)
    html = client.get("/staff/odk").get_data(as_text=True)
    [link] = qr_links(html)
    assert settings_in(client.get(link).data)["general"]["username"] == "quantri"
    viewer, _ = make_user("nguoi-xem", Role.VIEWER)
    login_as(viewer)
    assert client.get("/staff/odk").status_code == 403
    assert client.get(link).status_code == 403


def test_no_code_for_another_unit_a_draft_or_a_unit_outside_the_campaign(
        client, login_as, field_site, make_unit, make_user):
    campaign, unit = field_site.campaign, field_site.unit
    other = make_unit("xa-nam", "Xã Nam")
    login_as(field_site.user)
    assert client.get(f"/staff/odk/{campaign.id}/{other.id}/qr.png").status_code == 403
    assert client.get(f"/staff/odk/{campaign.id + 1}/{unit.id}/qr.png").status_code == 404
    admin, _ = make_user("quantri", Role.ADMIN)
    login_as(admin)
    assert client.get(f"/staff/odk/{campaign.id}/{other.id}/qr.png").status_code == 404
    campaign.state = CampaignState.DRAFT
    db.session.commit()
    assert client.get(f"/staff/odk/{campaign.id}/{unit.id}/qr.png").status_code == 404
    assert "Không có đợt khảo sát nào đang mở" in client.get("/staff/odk").get_data(
        as_text=True)


def test_the_posters_page_leads_to_it(client, login_as, field_site):
    login_as(field_site.user)
    html = client.get("/staff/posters").get_data(as_text=True)
    assert 'href="/staff/odk"' in html
