"""Uploading scans and photos on the staff page: clean sheets stored through the paper-entry
path, the rest kept for review, nothing ever stored twice, every refusal in Vietnamese."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from survey_app.domain.campaigns.progress import campaign_progress
from survey_app.extensions import db
from survey_app.models import (
    AuditEvent,
    CampaignUnit,
    Channel,
    Response,
    ResponseStatus,
    Role,
    ScanCrop,
    ScanPage,
    ScanState,
    VerificationEntry,
)
from survey_app.support.dates import today_local
from tests.paper_reading.conftest import FIXTURES, add_synth_batch, fixture_bytes, pdf_of
from tests.staff.staff_support import fresh
from tests.staff.test_entry import typed
from tests.test_cli import snapshot


def upload(client, files: list[tuple[str, bytes]], campaign=None):
    """Post files to the upload page, as a browser's multiple-file input sends them."""
    data = {"files": [(io.BytesIO(body), name) for name, body in files]}
    url = "/staff/scans" + (f"?campaign={campaign.code}" if campaign else "")
    return client.post(url, data=data, content_type="multipart/form-data")


def outcomes(reply) -> list[tuple[str, str]]:
    """(file, outcome class) per page of the report table."""
    html = reply.get_data(as_text=True)
    return re.findall(r'<tr class="outcome-(\w+)">\s*<td>([^<]*)</td>', html)


def paper_count(desk) -> int:
    fresh()
    report = campaign_progress(desk.campaign, desk.user, today_local())
    return sum(row.by_channel["paper"] for row in report.rows)


def stored() -> list[Response]:
    fresh()
    return list(db.session.scalars(select(Response).order_by(Response.id)))


def pending() -> list[ScanPage]:
    fresh()
    return list(db.session.scalars(select(ScanPage).order_by(ScanPage.id)))


def truths_of(manifest, name: str) -> dict:
    sheet = next(s for s in manifest["sheets"] if s["name"] == name)
    return {code: t["value"] for code, t in sheet["truths"].items()}


def test_an_upload_stores_clean_sheets_at_once_and_progress_moves(client, scan_desk,
                                                                  synth_batch):
    layout, sheets = synth_batch
    add_synth_batch(layout, sheets, scan_desk.campaign, scan_desk.unit, scan_desk.user)
    clean_pdf = pdf_of(*sheets[0].pages, *sheets[1].pages)
    files = [("lo-1.pdf", clean_pdf), ("phieu-3-tr1.jpg", sheets[2].pages[0]),
             ("phieu-3-tr2.jpg", sheets[2].pages[1])]
    assert paper_count(scan_desk) == 0
    reply = upload(client, files)
    assert reply.status_code == 200
    assert [kind for kind, _file in outcomes(reply)] == \
        ["stored", "stored", "stored", "stored", "review", "waiting"]
    assert paper_count(scan_desk) == 2
    first, second = stored()
    for response, sheet in ((first, sheets[0]), (second, sheets[1])):
        assert response.channel is Channel.PAPER and response.entered_by_id == scan_desk.user.id
        assert response.submission_key == sheet.serial
        assert response.status is ResponseStatus.VALID
        assert response.answer_values() == {code: value for code, value in sheet.truths.items()
                                            if code[:2] in ("tc", "tt", "cc", "kq", "pa")}
        assert response.respondent_type == sheet.truths["respondent_type"]
    assert db.session.scalar(select(func.count(AuditEvent.id))
                             .where(AuditEvent.action == "paper_entry.scan")) == 2
    kept = pending()
    assert [(p.sheet_page, p.state) for p in kept] == [(1, ScanState.REVIEW),
                                                       (2, ScanState.READY)]
    assert kept[0].review_codes() == ["tc2"]
    # The same files again: nothing changes, every page is reported.
    fresh()
    before = snapshot()
    again = upload(client, files)
    assert again.status_code == 200
    assert [kind for kind, _file in outcomes(again)] == \
        ["already", "already", "already", "already", "duplicate", "duplicate"]
    assert "đã nhập (từ bản quét)" in again.get_data(as_text=True)
    fresh()
    assert snapshot() == before
    # The one doubt decided on the review screen: the third sheet is stored too.
    kept = pending()
    html = client.get(f"/staff/scans/{kept[0].id}").get_data(as_text=True)
    assert html.count('class="digit"') == 1 and 'name="tc2"' in html
    chosen = sheets[2].truths["tc2"]
    assert client.post(f"/staff/scans/{kept[0].id}", data={"tc2": str(chosen)}).status_code == 303
    assert paper_count(scan_desk) == 3 and pending() == []
    third = stored()[-1]
    assert third.submission_key == sheets[2].serial and third.answer_values()["tc2"] == chosen


def test_a_required_question_left_blank_goes_to_review_with_its_row(client, scan_desk,
                                                                   synth_batch):
    layout, sheets = synth_batch
    add_synth_batch(layout, sheets, scan_desk.campaign, scan_desk.unit, scan_desk.user)
    blank = sheets[3]
    reply = upload(client, [("tr1.jpg", blank.pages[0]), ("tr2.jpg", blank.pages[1])])
    assert [kind for kind, _file in outcomes(reply)] == ["waiting", "review"]
    assert "câu bắt buộc chưa được đánh dấu" in reply.get_data(as_text=True)
    page = pending()[1]
    assert page.review_codes() == ["respondent_type"]
    html = client.get(f"/staff/scans/{page.id}").get_data(as_text=True)
    assert '<select id="f-respondent_type"' in html and "1. Cá nhân" in html
    assert client.get(f"/staff/scans/{page.id}/respondent_type.png").data[:4] == b"\x89PNG"
    # Left blank again it is refused as typing refuses it; chosen, the sheet is stored.
    refused = client.post(f"/staff/scans/{page.id}", data={"respondent_type": ""})
    assert refused.status_code == 422
    assert "Vui lòng chọn một ý cho câu “Ông/Bà là”" in refused.get_data(as_text=True)
    assert client.post(f"/staff/scans/{page.id}",
                       data={"respondent_type": "to_chuc"}).status_code == 303
    [response] = stored()
    assert response.respondent_type == "to_chuc" and pending() == []


def test_an_answer_the_unit_does_not_allow_is_held_for_review(client, scan_desk, manifest):
    fresh()
    scan_desk.unit.field_codes = ["ho_tich", "dat_dai"]  # A marked "ld_tbxh"
    db.session.commit()
    reply = upload(client, fixture_bytes("clean-300-A1.jpg", "clean-200-A2.jpg"))
    assert [kind for kind, _file in outcomes(reply)] == ["waiting", "review"]
    assert "không thuộc Xã Canh Hiển" in reply.get_data(as_text=True)
    first, second = pending()
    assert (first.state, second.state) == (ScanState.READY, ScanState.REVIEW)
    assert second.review_codes() == ["field"] and "không thuộc" in second.problem
    assert client.get(f"/staff/scans/{second.id}/field.png").status_code == 200
    assert client.post(f"/staff/scans/{second.id}",
                       data={"field": "ho_tich", "comment": ""}).status_code == 303
    [response] = stored()
    assert response.field == "ho_tich" and response.comment is None and pending() == []


def test_the_review_screen_shows_only_uncertain_questions_and_saving_stores(
        client, scan_desk, manifest):
    reply = upload(client, fixture_bytes("erasure-double-C1.jpg", "circled-C2.jpg"))
    assert [kind for kind, _file in outcomes(reply)] == ["review", "review"]
    page_one, page_two = pending()
    html = client.get(f"/staff/scans/{page_one.id}").get_data(as_text=True)
    assert html.count('class="digit"') == 2 and 'name="tc3"' in html and 'name="tt2"' in html
    assert 'name="tc1"' not in html and 'name="comment"' not in html
    assert "entry.js" in html and 'id="entry-form"' in html and "autofocus" in html
    assert f"/staff/scans/{page_one.id}/tc3.png" in html and "tẩy xoá" in html
    crop = client.get(f"/staff/scans/{page_one.id}/tc3.png")
    assert crop.status_code == 200 and crop.mimetype == "image/png"
    assert crop.data.startswith(b"\x89PNG")
    assert client.get(f"/staff/scans/{page_one.id}/tc1.png").status_code == 404
    # A key that is no answer is named, and nothing is saved.
    refused = client.post(f"/staff/scans/{page_one.id}", data={"tc3": "7", "tt2": "5"})
    assert refused.status_code == 422
    assert "chỉ nhập một chữ số từ 1 đến 5" in refused.get_data(as_text=True)
    assert pending()[0].state is ScanState.REVIEW
    # Page 1 decided: the sheet still waits for page 2's review; on to that page.
    saved = client.post(f"/staff/scans/{page_one.id}", data={"tc3": "4", "tt2": ""})
    assert saved.status_code == 303
    assert saved.headers["Location"].endswith(f"/staff/scans/{page_two.id}")
    assert stored() == []
    second = client.get(f"/staff/scans/{page_two.id}").get_data(as_text=True)
    assert 'name="pa2"' in second and 'name="gender"' in second and 'name="comment"' in second
    assert f"/staff/scans/{page_two.id}/comment.png" in second
    done = client.post(f"/staff/scans/{page_two.id}",
                       data={"pa2": "3", "gender": "nam", "comment": "Cán bộ tận tình"})
    assert done.status_code == 303 and done.headers["Location"].endswith("/staff/scans?campaign="
                                                                       f"{scan_desk.campaign.code}")
    [response] = stored()
    truths = truths_of(manifest, "C")
    answers = response.answer_values()
    assert (answers["tc3"], answers["pa2"]) == (4, 3) and "tt2" not in answers
    assert all(answers[code] == truths[code] for code in answers if code not in ("tc3", "pa2"))
    assert (response.gender, response.comment) == ("nam", "Cán bộ tận tình")
    assert response.respondent_type == truths["respondent_type"]
    assert response.channel is Channel.PAPER and response.entered_by_id == scan_desk.user.id
    assert pending() == [] and db.session.scalar(select(func.count(ScanCrop.id))) == 0


def as_png(jpeg: bytes) -> bytes:
    """A JPEG scan saved again as PNG (as some scanners write pages)."""
    import cv2
    import numpy as np

    ok, png = cv2.imencode(".png", cv2.imdecode(np.frombuffer(jpeg, np.uint8),
                                                cv2.IMREAD_GRAYSCALE))
    assert ok
    return png.tobytes()


def test_a_handwritten_comment_waits_to_be_typed_after_the_sheet_is_stored(client, scan_desk):
    page_one = (FIXTURES / "clean-300-A1.jpg").read_bytes()
    reply = upload(client, [("trang-1.png", as_png(page_one)),
                            *fixture_bytes("clean-200-A2.jpg")])
    assert [kind for kind, _file in outcomes(reply)] == ["stored", "stored"]
    [response] = stored()
    assert response.comment is None
    [page] = pending()
    assert page.state is ScanState.COMMENT and page.response_id == response.id
    html = client.get(f"/staff/scans/{page.id}").get_data(as_text=True)
    assert 'name="comment"' in html and 'class="digit"' not in html
    assert client.get(f"/staff/scans/{page.id}/comment.png").data.startswith(b"\x89PNG")
    assert client.post(f"/staff/scans/{page.id}",
                       data={"comment": "Thủ tục nhanh gọn"}).status_code == 303
    [response] = stored()
    assert response.comment == "Thủ tục nhanh gọn" and pending() == []
    event = db.session.scalar(select(AuditEvent)
                              .where(AuditEvent.action == "paper_entry.scan_comment"))
    assert event.before["comment"] == "" and event.after["comment"] == "Thủ tục nhanh gọn"


def test_a_sheet_stored_from_a_scan_can_still_be_typed_a_second_time(
        client, scan_desk, manifest, make_user, login_as):
    upload(client, fixture_bytes("clean-300-A1.jpg", "clean-200-A2.jpg"))
    fresh()
    second, _ = make_user("nguoi-hai", units=[scan_desk.unit])
    login_as(second)
    truths = truths_of(manifest, "A")
    form = {"serial": scan_desk.serials["A"],
            **{code: "" if value is None else str(value) for code, value in truths.items()},
            "comment": ""}
    assert client.post("/staff/verify", data=form).status_code == 303
    fresh()
    entry = db.session.scalar(select(VerificationEntry))
    assert entry.matches and entry.entered_by_id == second.id


def test_a_sheet_typed_by_hand_is_reported_and_not_doubled(client, scan_desk):
    serial = scan_desk.serials["A"]
    assert client.post("/staff/entry", data=typed(serial)).status_code == 303
    fresh()
    before = snapshot()
    reply = upload(client, fixture_bytes("clean-300-A1.jpg", "clean-200-A2.jpg"))
    assert [kind for kind, _file in outcomes(reply)] == ["entered", "entered"]
    assert "đã được nhập tay" in reply.get_data(as_text=True)
    fresh()
    assert snapshot() == before and len(stored()) == 1


def test_pages_that_cannot_be_read_are_reported_with_their_reason(client, scan_desk):
    reply = upload(client, fixture_bytes("cropped-A1.jpg", "not-a-sheet.jpg",
                                         "low-100dpi-B2.jpg", "photo-upside-down-E1.jpg"))
    assert reply.status_code == 200
    assert [kind for kind, _file in outcomes(reply)] == ["rejected"] * 4
    html = reply.get_data(as_text=True)
    assert "không tìm thấy 4 dấu góc — chụp lại cả tờ phiếu" in html
    assert "không đọc được mã QR của phiếu" in html
    assert "ảnh quá nhỏ (dưới 150 dpi)" in html
    # E was printed for another campaign: its code names no sheet of this one.
    assert "mã QR không thuộc phiếu nào của đợt khảo sát này" in html
    assert stored() == [] and pending() == []


def test_a_waiting_page_can_be_discarded_with_an_audit_trail(client, scan_desk):
    upload(client, fixture_bytes("erasure-double-C1.jpg"))
    [page] = pending()
    listing = client.get("/staff/scans").get_data(as_text=True)
    assert f"/staff/scans/{page.id}/discard" in listing and "Cần xem lại" in listing
    assert client.post(f"/staff/scans/{page.id}/discard").status_code == 303
    assert pending() == []
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "scan_page.discard"))
    assert event.before["serial"] == scan_desk.serials["C"] and event.before["state"] == "review"


def test_staff_of_another_unit_can_neither_upload_nor_review_the_unit_s_sheets(
        client, scan_desk, make_unit, make_user, login_as):
    upload(client, fixture_bytes("erasure-double-C1.jpg"))
    [page] = pending()
    fresh()
    other_unit = make_unit("xa-canh-hoa", "Xã Canh Hòa")
    scan_desk.campaign.targets.append(CampaignUnit(unit=other_unit, transactions_n=300))
    db.session.commit()
    outsider, _ = make_user("canbo-khac", units=[other_unit])
    login_as(outsider)
    fresh()
    before = snapshot()
    reply = upload(client, fixture_bytes("clean-300-A1.jpg", "clean-200-A2.jpg"))
    assert reply.status_code == 200
    assert [kind for kind, _file in outcomes(reply)] == ["rejected", "rejected"]
    html = reply.get_data(as_text=True)
    assert "không thuộc đơn vị của bạn" in html and "Cần xem lại" not in html
    for url in (f"/staff/scans/{page.id}", f"/staff/scans/{page.id}/tc3.png"):
        assert client.get(url).status_code == 403
    for url in (f"/staff/scans/{page.id}", f"/staff/scans/{page.id}/discard"):
        assert client.post(url, data={"tc3": "4", "tt2": "5"}).status_code == 403
    fresh()
    assert snapshot() == before
    # An administrator may review every unit's pages.
    fresh()
    admin, _ = make_user("quantri", role=Role.ADMIN)
    login_as(admin)
    assert client.get(f"/staff/scans/{page.id}").status_code == 200


@pytest.mark.parametrize(("files", "status", "message"), [
    ([], 400, "Vui lòng chọn ít nhất một tệp"),
    ([("ghi-chu.txt", "không phải ảnh".encode())], 422, "không phải PDF, JPEG hay PNG"),
    ([("rong.pdf", b"")], 422, "rỗng"),
    ([("hong.pdf", "%PDF-1.4 hỏng".encode())], 422, "bị hỏng hoặc có mật khẩu"),
], ids=["no-file", "text-file", "empty-file", "damaged-pdf"])
def test_bad_files_are_refused_in_vietnamese_and_nothing_is_read(client, scan_desk, files,
                                                                 status, message):
    fresh()
    before = snapshot()
    reply = upload(client, [*files, *fixture_bytes("clean-300-A1.jpg")] if files else [])
    assert reply.status_code == status
    html = reply.get_data(as_text=True)
    assert message in html and 'lang="vi"' in html
    fresh()
    assert snapshot() == before


def test_too_large_or_too_long_an_upload_is_refused_in_vietnamese(app, client, scan_desk):
    app.config["SCAN_MAX_PAGES"] = 1
    reply = upload(client, fixture_bytes("clean-300-A1.jpg", "clean-200-A2.jpg"))
    assert reply.status_code == 422 and "tối đa 1 trang" in reply.get_data(as_text=True)
    app.config["SCAN_MAX_UPLOAD"] = 100_000
    reply = upload(client, fixture_bytes("clean-300-A1.jpg"))
    assert reply.status_code == 413
    assert "Các tệp tải lên quá lớn (tối đa 97 kB" in reply.get_data(as_text=True)
    assert stored() == [] and pending() == []


def test_the_upload_page_lists_what_waits_and_the_menu_counts_it(client, scan_desk):
    html = client.get("/staff/scans").get_data(as_text=True)
    assert 'type="file"' in html and 'multiple' in html and "Đọc phiếu quét" in html
    assert "Không có trang quét nào đang chờ" in html
    upload(client, fixture_bytes("erasure-double-C1.jpg"))
    html = client.get("/staff/scans").get_data(as_text=True)
    assert "Đọc phiếu quét (1)" in html
    assert "6569-9126" in html and "Chưa tải lên" in html  # C's page 2 is not here yet


def test_a_sheet_typed_by_hand_while_its_scan_waits_is_not_doubled(client, scan_desk):
    upload(client, fixture_bytes("erasure-double-C1.jpg"))
    [page] = pending()
    assert client.post("/staff/entry", data=typed(scan_desk.serials["C"])).status_code == 303
    listing = client.get("/staff/scans").get_data(as_text=True)
    assert "phiếu đã được nhập, hãy bỏ trang này" in listing
    reply = client.post(f"/staff/scans/{page.id}", data={"tc3": "4", "tt2": "5"},
                        follow_redirects=True)
    assert "đã được nhập trước đó" in reply.get_data(as_text=True)
    assert len(stored()) == 1 and pending() == []
    assert stored()[0].answer_values()["tc3"] == 4  # as typed by hand ("4" everywhere)
