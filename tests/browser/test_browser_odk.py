"""ODK Collect as a new user would meet it, over real HTTP: a unit's staff member opens the ODK
page in a browser (no serious accessibility problem), reads the configuration QR code, and an
OpenRosa client (httpx, as ODK Collect talks) downloads the form and sends the same instance
twice: one response."""

from __future__ import annotations

import base64
import io
import json
import zlib

import httpx
from defusedxml.ElementTree import fromstring
from PIL import Image
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Channel, Response
from tests.browser.axe_checks import serious_violations
from tests.browser.staff_support import change_password, create_unit_staff, log_in, log_out
from tests.openrosa.openrosa_support import LIST, filled, full_answers
from tests.staff.staff_support import decode_qr

ADMIN_PASSWORD = "mat-khau-quan-tri-2026"
STAFF_PASSWORD = "mat-khau-dieu-tra-2026"


def test_a_collector_configures_collect_and_one_instance_sent_twice_is_one_response(
        live_app, desktop):
    page = desktop
    log_in(page, live_app.url, "admin", live_app.app.config["DEMO_ADMIN_PASSWORD"])
    change_password(page, live_app.app.config["DEMO_ADMIN_PASSWORD"], ADMIN_PASSWORD)
    issued = create_unit_staff(page, live_app.url, "dieutra.hien", "Trần Văn Điều Tra",
                               "Xã Canh Vinh (gl-xa-canh-vinh)")
    log_out(page)
    log_in(page, live_app.url, "dieutra.hien", issued)
    change_password(page, issued, STAFF_PASSWORD)

    page.goto(live_app.url + "/staff/odk")
    assert serious_violations(page) == []
    image = page.get_by_role("img", name="Mã QR cấu hình ODK Collect cho Xã Canh Vinh",
                             exact=False)
    assert image.count() == 1
    png = page.request.get(live_app.url + image.get_attribute("src")).body()
    [code] = decode_qr(Image.open(io.BytesIO(png)))
    settings = json.loads(zlib.decompress(base64.b64decode(code)))["general"]
    assert settings == {"server_url": f"{live_app.url}/openrosa/demo/gl-xa-canh-vinh",
                        "username": "dieutra.hien"}

    headers = {"X-OpenRosa-Version": "1.0"}
    with httpx.Client(base_url=settings["server_url"], headers=headers,
                      auth=(settings["username"], STAFF_PASSWORD)) as collect:
        assert collect.get("/formList").status_code == 200  # an open campaign's form
        listing = fromstring(collect.get("/formList").content)
        download = listing.find(f"{LIST}xform/{LIST}downloadUrl").text
        xform = collect.get(download).text
        assert collect.head("/submission").status_code == 204
        instance = filled(xform, full_answers("5", tc1="4"), "uuid:mot-phieu")
        replies = [collect.post("/submission", files={
            "xml_submission_file": ("submission.xml", instance.encode(), "text/xml")})
            for _ in range(2)]
        assert [reply.status_code for reply in replies] == [201, 201]
    with live_app.app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Response).where(
            Response.channel == Channel.ODK, Response.submission_key == "odk:uuid:mot-phieu"))
    assert count == 1
