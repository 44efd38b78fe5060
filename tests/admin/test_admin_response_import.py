"""Importing responses on the campaign page: upload, check, preview or every problem, confirm,
progress, result — the same rules and idempotence as ``flask import-responses``."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from survey_app.admin import response_import
from survey_app.domain.submissions import importing
from survey_app.extensions import db
from survey_app.models import (
    Answer,
    AuditEvent,
    CampaignState,
    Channel,
    Response,
    ResponseStatus,
    Role,
)
from survey_app.support.dates import today_local
from tests.results.counting_support import ITEMS_2640

HEADER = ["unit_code", "channel", "respondent_type", "field", "submitted_at", *ITEMS_2640,
          "comment"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def config_overrides(config_overrides, tmp_path):
    return {**config_overrides, "IMPORT_FOLDER": str(tmp_path / "imports")}


@pytest.fixture
def campaign(make_unit, make_campaign):
    commune = make_unit("xa-thu", "Xã Thử")
    agency = make_unit("p-tn-mt", "Phòng Tài nguyên và Môi trường",
                       field_codes=["dat_dai", "khac"])
    return make_campaign([commune, agency])


def table_counts() -> dict[str, int]:
    """Rows in every table, read fresh (what the requests committed)."""
    db.session.rollback()
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


@pytest.fixture
def counts_before(admin, campaign):
    """Tables whose row count changed since the test began (beyond ``ignore``)."""
    before = table_counts()

    def changed(ignore: tuple[str, ...] = ()) -> dict[str, int]:
        after = table_counts()
        return {name: after[name] - before[name] for name in after
                if after[name] != before[name] and name not in ignore}
    return changed


def yesterday(hour: int = 8, minute: int = 30) -> datetime:
    """The district's yesterday, inside the campaign and in the past at any hour."""
    day = today_local() - timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute)


def row(unit="xa-thu", channel="paper", respondent="ca_nhan", field="ho_tich",
        when: str | None = None, ratings=None, comment="") -> list[str]:
    ratings = ratings if ratings is not None else ["4"] * 20 + ["NA", ""]
    when = yesterday().strftime("%d/%m/%Y %H:%M") if when is None else when
    return [unit, channel, respondent, field, when, *ratings, comment]


def csv_bytes(rows, header=HEADER) -> bytes:
    lines = [",".join(line) for line in [header, *rows]]
    return b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode()


def xlsx_bytes(rows, header=HEADER) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for line in rows:
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, campaign, data: bytes, name="phieu.csv", mimetype="text/csv"):
    return client.post(f"/admin/campaigns/{campaign.id}/import",
                       data={"file": (io.BytesIO(data), name, mimetype)},
                       content_type="multipart/form-data")


def token_of(page: str) -> str:
    return re.search(r'name="upload" value="([0-9a-f]{32})"', page).group(1)


def confirm(client, campaign, token: str):
    return client.post(f"/admin/campaigns/{campaign.id}/import/confirm", data={"upload": token})


def stored() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Response))


def waiting_files(tmp_path) -> list[str]:
    folder = tmp_path / "imports"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_a_csv_is_checked_previewed_confirmed_and_counted(client, admin, campaign, tmp_path):
    data = csv_bytes([row(comment="Cán bộ nhiệt tình"), row(),
                      row(unit="p-tn-mt", field="dat_dai", ratings=["5"] * 22),
                      row(ratings=["2"] * 5 + [""] * 17)])
    checked = upload(client, campaign, data)
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200, page
    assert "Kiểm tra xong: không có lỗi" in page
    assert re.search(r"Sẽ nhập mới</dt><dd>4 \(trong đó 1 phiếu", page)
    assert re.search(r"<td>Xã Thử</td><td class=\"num\">3</td><td class=\"num\">0</td>", page)
    assert re.search(r"<td>Phòng Tài nguyên và Môi trường</td><td class=\"num\">1</td>", page)
    assert "Cán bộ nhiệt tình" in page and "Xác nhận nhập 4 phiếu" in page
    assert stored() == 0  # the check writes nothing

    done = confirm(client, campaign, token_of(page))
    assert done.status_code == 303
    result = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "đã nhập 4 phiếu (1 phiếu không hợp lệ được lưu nhưng không tính)" in result
    assert re.search(r"<td>Xã Thử</td><td class=\"num\">3</td><td class=\"num\">2</td>", result)
    assert stored() == 4
    first = db.session.scalar(select(Response).order_by(Response.id))
    assert first.comment == "Cán bộ nhiệt tình" and first.channel is Channel.PAPER
    assert first.entered_by_id == admin.id
    event = db.session.scalar(select(AuditEvent).filter_by(action="responses.import"))
    assert event.user_id == admin.id
    assert event.after == {"file": "phieu.csv", "imported": 4, "already_present": 0,
                           "invalid": 1}
    log = client.get("/admin/audit").get_data(as_text=True)
    assert "Nhập phiếu từ tệp" in log and "Số phiếu đã có từ trước" in log
    # The waiting file is gone; only the small record of the result stays (for its page).
    assert [name for name in waiting_files(tmp_path) if name.endswith(".upload")] == []


def test_an_xlsx_with_dates_and_numbers_as_excel_types_is_imported(client, admin, campaign):
    when = yesterday(14, 5)
    ratings = [4] * 10 + [5.0] * 10 + ["NA", None]
    data = xlsx_bytes([["xa-thu", "qr", "ca_nhan", "ho_tich", when, *ratings, "Tốt"],
                       ["p-tn-mt", None, "to_chuc", "dat_dai", when.date(), *[3] * 22, None]])
    checked = upload(client, campaign, data, name="phieu.xlsx", mimetype=XLSX)
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200, page
    assert "Excel (.xlsx)" in page and "Xác nhận nhập 2 phiếu" in page
    assert confirm(client, campaign, token_of(page)).status_code == 303
    assert stored() == 2
    first, second = db.session.scalars(select(Response).order_by(Response.id))
    answers = first.answer_values()
    assert answers["tc1"] == 4 and answers["cc2"] == 5 and answers["pa3"] == 0
    assert "pa4" not in answers and first.comment == "Tốt" and first.channel is Channel.QR
    # 14:05 in the district's time zone (UTC+7) is 07:05 UTC.
    assert first.submitted_at.replace(tzinfo=None) == when - timedelta(hours=7)
    assert second.channel is Channel.IMPORT and second.respondent_type == "to_chuc"


def test_importing_the_same_file_again_adds_nothing_and_says_so(client, admin, campaign,
                                                                  tmp_path):
    data = csv_bytes([row(), row(), row(unit="p-tn-mt", field="dat_dai")])
    first = upload(client, campaign, data).get_data(as_text=True)
    assert confirm(client, campaign, token_of(first)).status_code == 303
    again = upload(client, campaign, data)
    page = again.get_data(as_text=True)
    assert again.status_code == 200
    assert re.search(r"Đã có từ trước \(không nhập lại\)</dt><dd>3</dd>", page)
    assert "không có gì để nhập thêm" in page and 'name="upload"' not in page
    assert [name for name in waiting_files(tmp_path) if name.endswith(".upload")] == []
    # The same file as .xlsx is the same responses: nothing new either.
    workbook = xlsx_bytes([row(), row(), row(unit="p-tn-mt", field="dat_dai")])
    page = upload(client, campaign, workbook, "phieu.xlsx", XLSX).get_data(as_text=True)
    assert "không có gì để nhập thêm" in page
    assert stored() == 3


def test_a_second_confirmation_of_the_same_check_imports_nothing(client, admin, campaign):
    page = upload(client, campaign, csv_bytes([row()])).get_data(as_text=True)
    token = token_of(page)
    assert confirm(client, campaign, token).status_code == 303
    twice = confirm(client, campaign, token)
    assert twice.status_code == 400 and "tải tệp lên lại" in twice.get_data(as_text=True)
    assert stored() == 1


@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes], ids=["csv", "xlsx"])
def test_every_problem_is_shown_by_line_and_column_and_nothing_is_written(
        client, admin, campaign, counts_before, make, tmp_path):
    data = make([row(), row(unit="xa-khong-co"), row(ratings=["9"] + ["4"] * 21),
                 row(when="32/13/2026")])
    checked = upload(client, campaign, data)
    page = checked.get_data(as_text=True)
    assert checked.status_code == 422
    assert "Không phiếu nào được nhập" in page and 'name="upload"' not in page
    cells = re.findall(r'<tr><td class="num">(\d+)</td><td><code>(\w+)</code></td>', page)
    assert cells == [("3", "unit_code"), ("4", "tc1"), ("5", "submitted_at")]
    assert "đơn vị “xa-khong-co” không tham gia" in page
    assert counts_before() == {}
    assert waiting_files(tmp_path) == []


def test_a_formula_is_never_evaluated(client, admin, campaign):
    """A formula without a saved value is refused; one with a saved value gives that value
    (5 here, where evaluating ``=1+3`` would give 4)."""
    ratings = ["=1+3", *[4] * 21]
    data = xlsx_bytes([["xa-thu", "paper", "ca_nhan", "ho_tich", yesterday(), *ratings, "x"]])
    refused = upload(client, campaign, data, "phieu.xlsx", XLSX)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert re.search(r'<td class="num">2</td><td><code>tc1</code></td><td>ô có công thức', page)
    # As Excel saves it: the formula with the value it computed when the file was saved.
    package = zipfile.ZipFile(io.BytesIO(data))
    saved = io.BytesIO()
    with zipfile.ZipFile(saved, "w") as copy:
        for item in package.infolist():
            body = package.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b"<f>1+3</f><v />" in body
                body = body.replace(b"<f>1+3</f><v />", b"<f>1+3</f><v>5</v>")
            copy.writestr(item, body)
    page = upload(client, campaign, saved.getvalue(), "phieu.xlsx", XLSX).get_data(as_text=True)
    assert confirm(client, campaign, token_of(page)).status_code == 303
    assert stored() == 1
    assert db.session.scalar(select(Answer.value).filter_by(item_code="tc1")) == 5


def test_an_error_cell_and_a_cell_beyond_the_header_are_problems(client, admin, campaign):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append([*row(), "thừa"])
    out = io.BytesIO()
    book.save(out)
    page = upload(client, campaign, out.getvalue(), "p.xlsx", XLSX).get_data(as_text=True)
    assert "ô nằm ngoài các cột có tiêu đề" in page
    assert stored() == 0


GARBAGE = [
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "anh.csv"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "cu.xls"),
    (b"PK\x03\x04" + b"\x00" * 100, "hong.xlsx"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "phieu.xlsx"),
]


def _zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("hello.txt", "xin chào")
    return out.getvalue()


@pytest.mark.parametrize(("data", "name"), [*GARBAGE, (_zip_without_workbook(), "a.xlsx")])
def test_a_garbage_file_gets_a_vietnamese_4xx_and_nothing_is_kept(
        client, admin, campaign, counts_before, data, name, tmp_path):
    reply = upload(client, campaign, data, name=name)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422, page
    assert "Tệp bị từ chối, không phiếu nào được nhập" in page
    assert any(word in page for word in ("UTF-8", "Excel", "ZIP", "tệp nén"))
    assert counts_before() == {}
    assert waiting_files(tmp_path) == []


def test_an_oversized_or_missing_file_is_refused_in_vietnamese(app, client, admin, campaign,
                                                              counts_before, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_UPLOAD", 64 * 1024)
    big = upload(client, campaign, csv_bytes([row()] * 2000))
    assert big.status_code == 413
    assert "Tệp tải lên quá lớn (tối đa 64 kB)" in big.get_data(as_text=True)
    empty = upload(client, campaign, b"")
    assert empty.status_code == 400 and "Vui lòng chọn một tệp" in empty.get_data(as_text=True)
    assert counts_before() == {}


def test_an_approved_campaign_takes_no_import(client, admin, campaign, counts_before):
    page = upload(client, campaign, csv_bytes([row()])).get_data(as_text=True)
    campaign.state = CampaignState.APPROVED  # approved between the check and the confirmation
    db.session.commit()
    late = confirm(client, campaign, token_of(page))
    assert late.status_code == 409
    assert "đã được phê duyệt; không nhập thêm phiếu" in late.get_data(as_text=True)
    again = upload(client, campaign, csv_bytes([row()]))
    assert again.status_code == 409
    assert "đã được phê duyệt" in again.get_data(as_text=True)
    detail = client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Kiểm tra tệp" not in detail and "không nhập thêm phiếu" in detail
    assert counts_before(ignore=("audit_event",)) == {}


def test_a_token_that_is_not_this_sessions_own_is_refused(app, client, admin, campaign,
                                                          make_user, login_as, tmp_path):
    page = upload(client, campaign, csv_bytes([row()])).get_data(as_text=True)
    token = token_of(page)
    for forged in ["../../secret_key", "0" * 32, token.upper(), ""]:
        assert confirm(client, campaign, forged).status_code == 400
    # Another admin (another session) cannot confirm it, nor see its progress.
    other, _ = make_user("qt-khac", Role.ADMIN)
    second = app.test_client()
    with second.session_transaction() as session:
        session["_user_id"] = other.get_id()
        session["_fresh"] = True
    assert confirm(second, campaign, token).status_code == 400
    assert second.get(f"/admin/campaigns/{campaign.id}/import/progress?upload={token}") \
        .status_code == 404
    # A file changed on disk after its check is refused (its hash no longer matches).
    (tmp_path / "imports" / f"{token}.upload").write_bytes(csv_bytes([row(), row()]))
    assert confirm(client, campaign, token).status_code == 400
    assert stored() == 0


def test_the_progress_is_reported_in_chunks_and_ends_done(client, admin, campaign,
                                                          monkeypatch):
    monkeypatch.setattr(importing, "CHUNK", 2)
    seen: list[dict] = []
    write = response_import._write_record
    monkeypatch.setattr(response_import, "_write_record",
                        lambda token, record: (seen.append(record), write(token, record)))
    rows = [row(when=yesterday(9, minute).strftime("%d/%m/%Y %H:%M")) for minute in range(5)]
    page = upload(client, campaign, csv_bytes(rows)).get_data(as_text=True)
    token = token_of(page)
    progress_url = f"/admin/campaigns/{campaign.id}/import/progress?upload={token}"
    waiting = client.get(progress_url).get_json()
    assert waiting["state"] == "checked" and waiting["percent"] == 0
    seen.clear()
    assert confirm(client, campaign, token).status_code == 303
    stages = [(r.get("stage"), r.get("done"), r.get("total")) for r in seen
              if r["state"] == "running"]
    assert ("check", 2, 5) in stages and ("check", 5, 5) in stages
    assert ("store", 2, 5) in stages and ("store", 4, 5) in stages and ("store", 5, 5) in stages
    percents = [r["percent"] for r in seen if r["state"] == "running"]
    assert percents == sorted(percents) and percents[-1] == 100
    final = client.get(progress_url).get_json()
    assert final["state"] == "done" and final["percent"] == 100
    assert final["text"] == "Đã nhập xong."


def test_a_failure_part_way_leaves_nothing_of_the_file(app, client, admin, campaign,
                                                       monkeypatch, counts_before):
    monkeypatch.setattr(importing, "CHUNK", 1)
    real = importing.response_values
    calls = []

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == 3:  # after two chunks were written to the transaction
            raise RuntimeError("ổ đĩa đầy")
        return real(**kwargs)

    monkeypatch.setattr(importing, "response_values", failing)
    rows = [row(when=yesterday(10, minute).strftime("%d/%m/%Y %H:%M")) for minute in range(4)]
    page = upload(client, campaign, csv_bytes(rows)).get_data(as_text=True)
    token = token_of(page)
    with pytest.raises(RuntimeError):
        confirm(client, campaign, token)
    assert len(calls) == 3
    assert counts_before() == {}
    state = client.get(f"/admin/campaigns/{campaign.id}/import/progress?upload={token}")
    assert state.get_json()["state"] == "failed"


def test_only_an_admin_may_import(client, campaign, make_user, login_as):
    staff, _ = make_user("canbo", Role.UNIT_STAFF, units=[campaign.targets[0].unit])
    login_as(staff)
    base = f"/admin/campaigns/{campaign.id}/import"
    assert upload(client, campaign, csv_bytes([row()])).status_code == 403
    assert client.post(f"{base}/confirm", data={"upload": "0" * 32}).status_code == 403
    assert client.get(f"{base}/progress?upload={'0' * 32}").status_code == 403
    assert client.get(f"{base}/result?upload={'0' * 32}").status_code == 403
    assert stored() == 0


def test_the_record_of_an_import_is_plain_json_in_the_import_folder(client, admin, campaign,
                                                                    tmp_path):
    page = upload(client, campaign, csv_bytes([row()])).get_data(as_text=True)
    token = token_of(page)
    record = json.loads((tmp_path / "imports" / f"{token}.json").read_text())
    assert record["user"] == admin.id and record["campaign"] == campaign.id
    assert record["state"] == "checked" and record["rows"] == 1
    assert db.session.scalar(select(func.count()).select_from(Response).where(
        Response.status == ResponseStatus.VALID)) == 0


def test_an_import_whose_worker_was_stopped_is_shown_interrupted(client, admin, campaign,
                                                                 tmp_path):
    page = upload(client, campaign, csv_bytes([row()])).get_data(as_text=True)
    token = token_of(page)
    path = tmp_path / "imports" / f"{token}.json"
    record = json.loads(path.read_text())
    # As a worker killed mid-import leaves it: running, last told three minutes ago.
    path.write_text(json.dumps({**record, "state": "running", "stage": "store", "done": 500,
                                "total": 900, "percent": 73,
                                "updated": record["updated"] - 180}))
    state = client.get(f"/admin/campaigns/{campaign.id}/import/progress?upload={token}")
    assert state.get_json()["state"] == "failed"
    assert "bị gián đoạn" in state.get_json()["text"]
    assert confirm(client, campaign, token).status_code == 400  # upload it again
    assert stored() == 0
