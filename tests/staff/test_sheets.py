"""Sheet batches: serials, the stored layout, the printed wording, the PDF and the CLI."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from questionnaires import shipped_instruments
from survey_app.domain.paper.serials import display_serial, is_valid_serial
from survey_app.extensions import db
from survey_app.models import AuditEvent, Sheet, SheetBatch
from tests.staff.staff_support import (
    decode_qr,
    fresh,
    normalised,
    page_count,
    pdf_pages,
    pdf_texts,
)

BASE = "https://khaosat.example.vn"


@pytest.fixture
def setting(make_unit, make_campaign, make_user, login_as):
    unit = make_unit("xa-canh-hien", "Xã Canh Hiển")
    campaign = make_campaign([unit], code="dot-2026")
    user, _ = make_user("canbo-ch", units=[unit])
    login_as(user)
    return unit, campaign, user


def _batches() -> list[SheetBatch]:
    fresh()
    return list(db.session.scalars(select(SheetBatch).order_by(SheetBatch.id)))


def test_batch_is_recorded_with_valid_unique_serials_and_audited(client, setting):
    unit, campaign, user = setting
    reply = client.post("/staff/sheets", data={"campaign": campaign.id, "unit": unit.id,
                                               "count": "20"})
    assert reply.status_code == 303
    [batch] = _batches()
    assert (batch.unit_id, batch.campaign_id, batch.sheet_count) == (unit.id, campaign.id, 20)
    serials = [sheet.serial for sheet in batch.sheets]
    assert len(serials) == len(set(serials)) == 20
    assert all(is_valid_serial(serial) for serial in serials)
    assert len({sheet.token for sheet in batch.sheets}) == 20
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sheet_batch.create"))
    assert event.user_id == user.id and event.after["count"] == 20
    page = client.get("/staff/sheets").get_data(as_text=True)
    assert "Xã Canh Hiển" in page and f"/staff/sheets/{batch.id}.pdf" in page


def test_pdf_has_every_item_word_for_word_the_serial_and_the_sheet_qr(client, setting):
    unit, campaign, _ = setting
    client.post("/staff/sheets", data={"campaign": campaign.id, "unit": unit.id, "count": "3"})
    [batch] = _batches()
    body = client.get(f"/staff/sheets/{batch.id}.pdf").get_data()
    layout = batch.layout
    per_sheet = layout["pages_per_sheet"]
    assert page_count(body) == 3 * per_sheet
    texts = pdf_texts(body)
    first_sheet = " ".join(texts[:per_sheet])
    instrument = shipped_instruments()["sipas-2640"]
    for number, item in enumerate(instrument.rating_items, 1):
        assert f"{number}. {normalised(item.text)}" in first_sheet, item.code
    for question in instrument.profile:
        assert normalised(question.label) in first_sheet
    assert "Xã Canh Hiển" in first_sheet and "Không áp dụng" in first_sheet
    pages = pdf_pages(body)
    for index, sheet in enumerate(batch.sheets):
        start = index * per_sheet
        # Each sheet starts on its own page with its own serial and QR code.
        assert f"Số phiếu: {display_serial(sheet.serial)}" in texts[start]
        assert decode_qr(pages[start]) == [f"{BASE}/p/{sheet.token}"]
        for page_no in range(per_sheet):
            assert f"Phiếu số {display_serial(sheet.serial)}" in texts[start + page_no]


def test_layout_records_marks_on_every_page_and_every_bubble(client, setting):
    unit, campaign, _ = setting
    client.post("/staff/sheets", data={"campaign": campaign.id, "unit": unit.id, "count": "2"})
    [batch] = _batches()
    layout = json.loads(json.dumps(batch.layout))  # as stored: plain JSON
    width, height = layout["page_size"]
    assert (round(width), round(height)) == (595, 842)
    assert [page["page"] for page in layout["pages"]] == \
        list(range(1, layout["pages_per_sheet"] + 1))
    body = client.get(f"/staff/sheets/{batch.id}.pdf").get_data()
    images = pdf_pages(body, scale=1.0)
    assert len(images) == 2 * layout["pages_per_sheet"]
    for pdf_index, image in enumerate(images):
        page = layout["pages"][pdf_index % layout["pages_per_sheet"]]
        corners = {mark["corner"] for mark in page["registration_marks"]}
        assert corners == {"top-left", "top-right", "bottom-left", "bottom-right"}
        gray = image.convert("L")
        for mark in page["registration_marks"]:
            # The mark is printed where the layout says: its centre is black on the page.
            centre_x = mark["x"] + mark["size"] / 2
            centre_y = height - (mark["y"] + mark["size"] / 2)
            assert gray.getpixel((int(centre_x), int(centre_y))) < 60
    bubbles = layout["bubbles"]
    instrument = shipped_instruments()["sipas-2640"]
    for item in instrument.rating_items:
        values = sorted(b["value"] for b in bubbles if b.get("item") == item.code)
        assert values == [0, 1, 2, 3, 4, 5]
    gender = sorted(b["value"] for b in bubbles if b.get("question") == "gender")
    assert gender == ["khac", "nam", "nu"]
    assert all(0 < b["x"] < width and 0 < b["y"] < height for b in bubbles)
    assert layout["serial"]["page"] == 1 and layout["qr"]["page"] == 1


def test_later_pages_carry_their_own_page_code_and_the_layout_says_where(client, setting):
    """A page scanned or photographed on its own says which sheet and page it is."""
    unit, campaign, _ = setting
    client.post("/staff/sheets", data={"campaign": campaign.id, "unit": unit.id, "count": "2"})
    [batch] = _batches()
    layout = batch.layout
    per_sheet = layout["pages_per_sheet"]
    assert per_sheet == 2
    pages = pdf_pages(client.get(f"/staff/sheets/{batch.id}.pdf").get_data())
    for index, sheet in enumerate(batch.sheets):
        for page_no in range(2, per_sheet + 1):
            assert decode_qr(pages[index * per_sheet + page_no - 1]) == \
                [f"KS:{sheet.serial}:{page_no}/{per_sheet}"]
    first, *later = layout["pages"]
    assert first["qr"] == {**{k: layout["qr"][k] for k in ("x", "y", "size")},
                           "content": "sheet-url"}
    for page in later:
        assert page["qr"]["content"] == "page-code"
        # Above everything else on its page, clear by the QR code's quiet zone.
        tops = [row["y"] + row["h"] for row in layout["rows"] if row["page"] == page["page"]]
        assert tops and page["qr"]["y"] - max(tops) >= 4 * page["qr"]["size"] / 21
    instrument = shipped_instruments()["sipas-2640"]
    for item in instrument.rating_items:
        [row] = [r for r in layout["rows"] if r.get("item") == item.code]
        for bubble in (b for b in layout["bubbles"] if b.get("item") == item.code):
            assert bubble["page"] == row["page"]
            assert row["y"] < bubble["y"] - bubble["r"] < bubble["y"] + bubble["r"] < \
                row["y"] + row["h"]
    assert {r["question"] for r in layout["rows"] if "question" in r} == \
        {b["question"] for b in layout["bubbles"] if "question" in b}


def test_download_is_the_same_pdf_every_time(client, setting):
    unit, campaign, _ = setting
    client.post("/staff/sheets", data={"campaign": campaign.id, "unit": unit.id, "count": "2"})
    [batch] = _batches()
    first = client.get(f"/staff/sheets/{batch.id}.pdf").get_data()
    assert client.get(f"/staff/sheets/{batch.id}.pdf").get_data() == first


@pytest.mark.parametrize("count", ["0", "2001", "abc", "", "-5", "1.5", "٣"])
def test_count_out_of_bounds_is_refused_in_vietnamese_and_nothing_is_written(
        client, setting, count):
    unit, campaign, _ = setting
    reply = client.post("/staff/sheets", data={"campaign": campaign.id, "unit": unit.id,
                                               "count": count})
    assert reply.status_code == 400
    assert "Số phiếu phải là số nguyên từ 1 đến 2.000." in reply.get_data(as_text=True)
    assert _batches() == []
    assert db.session.scalar(select(func.count(Sheet.id))) == 0


def test_two_thousand_is_accepted_and_serials_stay_unique_across_batches(app, setting):
    from survey_app.domain.paper.sheet_batches import create_batch

    unit, campaign, user = setting
    create_batch(campaign.id, unit.id, 2000, user)
    create_batch(campaign.id, unit.id, 300, user)
    fresh()
    total, distinct = db.session.execute(
        select(func.count(Sheet.id), func.count(func.distinct(Sheet.serial)))).one()
    assert total == distinct == 2300


def test_staff_of_another_unit_cannot_print_or_download(client, setting, make_unit, make_user,
                                                        login_as):
    unit, campaign, _ = setting
    client.post("/staff/sheets", data={"campaign": campaign.id, "unit": unit.id, "count": "2"})
    [batch] = _batches()
    other = make_unit("xa-khac", "Xã Khác")
    stranger, _ = make_user("nguoi-la", units=[other])
    login_as(stranger)
    assert client.get(f"/staff/sheets/{batch.id}.pdf").status_code == 403
    assert client.get(f"/staff/sheets/{batch.id + 1}.pdf").status_code == 404
    reply = client.post("/staff/sheets", data={"campaign": campaign.id, "unit": unit.id,
                                               "count": "5"})
    assert reply.status_code == 403
    assert len(_batches()) == 1 and db.session.scalar(select(func.count(Sheet.id))) == 2
    assert "Xã Canh Hiển" not in client.get("/staff/sheets").get_data(as_text=True)


def test_cli_print_sheets_writes_a_pdf_and_records_the_batch(runner, setting, tmp_path):
    out = tmp_path / "lo.pdf"
    result = runner.invoke(args=["print-sheets", "--campaign", "dot-2026", "--unit",
                                 "xa-canh-hien", "--count", "4", "--out", str(out)])
    assert result.exit_code == 0, result.output
    [batch] = _batches()
    assert batch.sheet_count == 4
    body = out.read_bytes()
    assert body.startswith(b"%PDF") and page_count(body) == 4 * batch.layout["pages_per_sheet"]


@pytest.mark.parametrize("args, message", [
    (["--campaign", "khong-co", "--unit", "xa-canh-hien", "--count", "4"], "Không có đợt"),
    (["--campaign", "dot-2026", "--unit", "khong-co", "--count", "4"], "Không có đơn vị"),
    (["--campaign", "dot-2026", "--unit", "xa-canh-hien", "--count", "2001"], "Số phiếu phải"),
    (["--campaign", "dot-2026", "--unit", "xa-canh-hien", "--count", "muoi"], "Số phiếu phải"),
])
def test_cli_print_sheets_refuses_bad_input(runner, setting, tmp_path, args, message):
    out = tmp_path / "lo.pdf"
    result = runner.invoke(args=["print-sheets", *args, "--out", str(out)])
    assert result.exit_code != 0 and message in result.output
    assert not out.exists() and _batches() == []


def test_cli_print_posters_one_unit_or_all(runner, setting, make_unit, tmp_path):
    unit, _, _ = setting
    other = make_unit("xa-khac", "Xã Khác")
    one, every = tmp_path / "one.pdf", tmp_path / "all.pdf"
    result = runner.invoke(args=["print-posters", "--unit", "xa-canh-hien", "--out", str(one)])
    assert result.exit_code == 0, result.output
    assert decode_qr(pdf_pages(one.read_bytes())[0]) == [f"{BASE}/s/{unit.counters[0].token}"]
    assert runner.invoke(args=["print-posters", "--out", str(every)]).exit_code == 0
    texts = pdf_texts(every.read_bytes())
    assert len(texts) == 2 and any("Xã Khác" in text for text in texts)
    assert any(other.counters[0].token in text for text in texts)
    bad = runner.invoke(args=["print-posters", "--unit", "khong-co", "--out", str(one)])
    assert bad.exit_code != 0 and "Không có đơn vị" in bad.output


@pytest.mark.parametrize("field", ["unit", "campaign"])
def test_an_id_beyond_the_database_s_range_is_a_404_not_a_crash(client, setting, field):
    unit, campaign, _ = setting
    data = {"campaign": campaign.id, "unit": unit.id, "count": "2",
            field: "99999999999999999999"}
    assert client.post("/staff/sheets", data=data).status_code == 404
    assert _batches() == []


@pytest.mark.parametrize("missing", [("unit",), ("campaign",), ("unit", "campaign"),
                                     ("unit", "campaign", "count")])
def test_a_form_without_its_choices_asks_for_them_in_vietnamese(client, setting, missing):
    """A stale page or a hand-made post may leave a list out: a 400 naming what to choose."""
    unit, campaign, _ = setting
    data = {"campaign": campaign.id, "unit": unit.id, "count": "2"}
    for field in missing:
        del data[field]
    reply = client.post("/staff/sheets", data=data)
    assert reply.status_code == 400
    assert "Vui lòng chọn đợt khảo sát, đơn vị và số phiếu." in reply.get_data(as_text=True)
    assert _batches() == []
