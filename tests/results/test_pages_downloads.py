"""Downloads from the results pages and the admin's approval: frozen, byte-identical files."""

from __future__ import annotations

import csv
import hashlib
import io

import openpyxl
import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Campaign, CampaignState, ResultSnapshot, Role
from survey_app.support.dates import local_date, today_local


@pytest.fixture
def world(make_unit, make_campaign, make_user, add_responses):
    tnmt = make_unit("p-tnmt", "Phòng Tài nguyên và Môi trường")
    dak_ha = make_unit("xa-dak-ha", "UBND xã Đắk Hà")
    campaign = make_campaign([tnmt, dak_ha], code="2026-huyen")
    add_responses(campaign, tnmt, 10, comments=["=1+1"])
    add_responses(campaign, dak_ha, 6, seed=3)
    users = {role: make_user(role.value, role, units=[tnmt] if role is Role.UNIT_STAFF else [])[0]
             for role in Role}
    return {"campaign": campaign, "tnmt": tnmt, "users": users}


def _download(client, url, **query):
    with client.get(url, query_string=query) as response:
        return response.status_code, response.headers, response.get_data()


def _state(code: str) -> CampaignState:
    db.session.rollback()  # end the test's read transaction: see what the requests wrote
    return db.session.scalar(select(Campaign.state).where(Campaign.code == code))


def test_downloads_in_every_format(client, login_as, world):
    login_as(world["users"][Role.VIEWER])
    status, headers, body = _download(client, "/results/download/xlsx")
    assert status == 200
    assert headers["Content-Type"].startswith("application/vnd.openxmlformats")
    today = today_local().isoformat()
    assert f"ket-qua-2026-huyen-tong-hop-{today}.xlsx" in headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    assert workbook.sheetnames == ["Tổng hợp", "Tiêu chí", "Phương pháp"]
    rows = list(workbook["Tổng hợp"].iter_rows(min_row=2, values_only=True))
    names = {row[2] for row in rows if row[1] is not None or row[2] is not None}
    assert names == {"Phòng Tài nguyên và Môi trường", "UBND xã Đắk Hà", "Toàn huyện"}
    # both units are short of their sample: listed under their own heading, unranked
    assert [row[0] for row in rows if row[2] is None] == ["Chưa đủ mẫu — chưa xếp hạng"]
    status, _, body = _download(client, "/results/download/xlsx", by="field")
    assert "Theo lĩnh vực" in openpyxl.load_workbook(io.BytesIO(body)).sheetnames
    status, headers, body = _download(client, "/results/download/csv")
    assert status == 200 and body.startswith(b"\xef\xbb\xbf")
    status, headers, body = _download(client, "/results/download/pdf")
    assert status == 200 and body.startswith(b"%PDF")
    assert _download(client, "/results/download/docx")[0] == 404
    assert _download(client, "/results/download/xlsx", by="tuoi")[0] == 400


def test_raw_responses_only_for_admins(client, login_as, world):
    login_as(world["users"][Role.VIEWER])
    assert _download(client, "/results/download/xlsx", raw="1")[0] == 403
    login_as(world["users"][Role.ADMIN])
    status, _, body = _download(client, "/results/download/xlsx", raw="1")
    assert status == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(body))["Dữ liệu thô"].iter_rows(
        values_only=True))
    assert len(rows) == 1 + 16
    assert rows[1][-1] == "'=1+1"  # the comment, neutralised


def test_approval_needs_a_closed_campaign(client, login_as, world):
    login_as(world["users"][Role.ADMIN])
    response = client.post("/results/approve", data={"campaign": "2026-huyen"},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "Chỉ phê duyệt được đợt khảo sát đã đóng" in response.get_data(as_text=True)
    assert _state("2026-huyen") is CampaignState.OPEN
    assert db.session.scalar(select(ResultSnapshot)) is None


def test_approved_downloads_are_frozen_and_identical(client, login_as, world, add_responses):
    campaign = world["campaign"]
    campaign.state = CampaignState.CLOSED
    db.session.commit()
    login_as(world["users"][Role.ADMIN])
    # the button first asks (tested in tests/results/test_confirmations.py); confirmed here
    response = client.post("/results/approve", data={"campaign": "2026-huyen", "flagged": "0"},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Đã phê duyệt kết quả đợt “2026-huyen” (phiên bản 1)" in page
    assert "Số liệu đã phê duyệt" in page
    assert 'action="/results/approve"' not in page  # no second approval of the same data
    assert _state("2026-huyen") is CampaignState.APPROVED
    snapshot = db.session.scalar(select(ResultSnapshot))
    assert snapshot.approved_by.username == "admin"
    first = _download(client, "/results/download/xlsx")
    assert first[0] == 200 and "phe-duyet-v1" in first[1]["Content-Disposition"]
    assert first[2] == snapshot.xlsx
    assert hashlib.sha256(first[2]).hexdigest() == snapshot.xlsx_sha256
    pdf = _download(client, "/results/download/pdf")[2]
    add_responses(db.session.get(Campaign, campaign.id), world["tnmt"], 5, seed=9)
    assert _download(client, "/results/download/xlsx")[2] == first[2]
    assert _download(client, "/results/download/pdf")[2] == pdf
    # The cut of an approved campaign comes from the snapshot too, not from later data.
    cut = openpyxl.load_workbook(io.BytesIO(_download(client, "/results/download/xlsx",
                                                      by="field")[2]))
    summary = {row[1]: row for row in cut["Tổng hợp"].iter_rows(min_row=2, values_only=True)}
    assert summary["p-tnmt"][6] == 10  # valid responses when approved
    land = [row for row in cut["Theo lĩnh vực"].iter_rows(min_row=2, values_only=True)
            if row[1] == "p-tnmt"]
    assert land[0][3] == 10  # not 15: the five that came later are not in it
    page = client.get("/results/unit/p-tnmt").get_data(as_text=True)
    assert "10 phiếu hợp lệ trên 10 phiếu" in page
    assert "<td>Đất đai</td><td class=\"num\">10</td>" in page  # the frozen cut by field
    login_as(world["users"][Role.VIEWER])
    assert _download(client, "/results/download/xlsx")[2] == first[2]


def test_unit_staff_get_their_own_unit_even_after_approval(client, login_as, world):
    campaign = world["campaign"]
    campaign.state = CampaignState.CLOSED
    db.session.commit()
    login_as(world["users"][Role.ADMIN])
    client.post("/results/approve", data={"campaign": "2026-huyen", "flagged": "0"})
    login_as(world["users"][Role.UNIT_STAFF])
    status, _, body = _download(client, "/results/download/xlsx")
    assert status == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(body))["Tổng hợp"].iter_rows(
        min_row=2, values_only=True))
    # the heading of the unranked units, the own unit, the district total
    assert [row[1] for row in rows] == [None, "p-tnmt", None]
    assert rows[0][0] == "Chưa đủ mẫu — chưa xếp hạng" and rows[2][2] == "Toàn huyện"
    assert client.post("/results/approve", data={"campaign": "2026-huyen"}).status_code == 403


def test_file_names_say_campaign_kind_and_date_and_one_content_type(client, login_as, world):
    campaign = world["campaign"]
    login_as(world["users"][Role.ADMIN])
    today = today_local().isoformat()
    names = set()
    for fmt, query in [("xlsx", {}), ("xlsx", {"by": "field"}), ("xlsx", {"raw": "1"}),
                       ("xlsx", {"by": "channel"}), ("csv", {}), ("pdf", {})]:
        status, headers, _ = _download(client, f"/results/download/{fmt}", **query)
        assert status == 200
        assert len(headers.getlist("Content-Type")) == 1
        disposition = headers["Content-Disposition"]
        names.add(disposition)
        assert f"ket-qua-{campaign.code}-" in disposition and today in disposition
    assert len(names) == 6  # no two kinds of file share a name
    assert "theo-linh-vuc" in "".join(names) and "du-lieu-tho" in "".join(names)


def test_the_csv_has_the_same_layout_before_and_after_approval(client, login_as, world):
    login_as(world["users"][Role.ADMIN])
    _, _, before = _download(client, "/results/download/csv")
    db.session.rollback()  # end the test's read snapshot: the download wrote since
    db.session.get(Campaign, world["campaign"].id).state = CampaignState.CLOSED
    db.session.commit()
    assert client.post("/results/approve", data={"campaign": "2026-huyen", "flagged": "0"}
                       ).status_code == 302
    _, headers, after = _download(client, "/results/download/csv")
    snapshot = db.session.scalar(select(ResultSnapshot))
    day = local_date(snapshot.approved_at).isoformat()
    assert f"phe-duyet-v1-{day}.csv" in headers["Content-Disposition"]

    def layout(body: bytes) -> tuple[list[str], list[tuple[str, str]]]:
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        return rows[0], [(row[0], row[1]) for row in rows[1:]]

    assert layout(after) == layout(before)
