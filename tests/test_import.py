"""CSV import: a good file lands once; a bad one is refused whole, with every problem located."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey_app.domain.submissions.importing import ImportRejected, import_responses
from survey_app.errors import DomainError
from survey_app.extensions import db
from survey_app.models import Answer, AuditEvent, Channel, Response, ResponseStatus
from survey_app.support.dates import today_local

ITEMS = ["tc1", "tc2", "tc3", "tc4", "tt1", "tt2", "tt3", "tt4", "tt5", "cc1", "cc2", "cc3",
         "cc4", "cc5", "cc6", "kq1", "kq2", "kq3", "pa1", "pa2", "pa3", "pa4"]
HEADER = ["unit_code", "channel", "respondent_type", "field", "submitted_at", *ITEMS, "comment"]


def day(offset: int = 0) -> str:
    return (today_local() - timedelta(days=offset)).strftime("%d/%m/%Y")


def row(unit="xa-thu", channel="paper", respondent="ca_nhan", field="ho_tich", when=None,
        ratings=None, comment="") -> list[str]:
    ratings = ratings if ratings is not None else ["4"] * 20 + ["NA", ""]
    when = f"{day(1)} 08:30" if when is None else when
    return [unit, channel, respondent, field, when, *ratings, comment]


def csv_bytes(rows, header=HEADER, delimiter=",", bom=True) -> bytes:
    def quote(cell: str) -> str:
        if any(ch in cell for ch in f'"{delimiter}\n'):
            return '"' + cell.replace('"', '""') + '"'
        return cell
    lines = [delimiter.join(quote(c) for c in line) for line in [header, *rows]]
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


@pytest.fixture
def campaign(make_unit, make_campaign):
    unit = make_unit("xa-thu", "Xã Thử")
    agency = make_unit("p-tn-mt", "Phòng Tài nguyên và Môi trường", field_codes=["dat_dai",
                                                                                  "khac"])
    return make_campaign([unit, agency])


def count(model=Response) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_good_file_is_imported_with_everything_recorded(campaign):
    rows = [row(comment="Cán bộ nhiệt tình, chu đáo"),
            row(unit="p-tn-mt", channel="", respondent="Đại diện tổ chức", field="Đất đai",
                ratings=["5"] * 22),
            row(ratings=["2"] * 5 + [""] * 17)]
    result = import_responses(campaign, csv_bytes(rows), source="thang11.csv")
    assert (result.imported, result.already_present, result.invalid) == (3, 0, 1)
    responses = db.session.scalars(select(Response).order_by(Response.id)).all()
    first, second, third = responses
    assert first.channel is Channel.PAPER and first.field == "ho_tich"
    assert first.comment == "Cán bộ nhiệt tình, chu đáo"
    assert first.answer_values()["pa3"] == 0 and "pa4" not in first.answer_values()
    assert first.n_rated == 20 and first.status is ResponseStatus.VALID
    assert first.instrument_version_id == campaign.instrument_version_id
    assert second.channel is Channel.IMPORT
    assert (second.respondent_type, second.field) == ("to_chuc", "dat_dai")
    # 5 of 22 rated is below the campaign's half: kept, counted as invalid, not used.
    assert third.status is ResponseStatus.INVALID
    assert count(Answer) == 21 + 22 + 5
    event = db.session.scalar(select(AuditEvent).filter_by(action="responses.import"))
    assert event.after == {"file": "thang11.csv", "imported": 3, "already_present": 0,
                           "invalid": 1}


def test_importing_the_same_file_twice_imports_nothing_new(campaign):
    # Two identical rows are two people who answered alike: both count, once each.
    data = csv_bytes([row(), row(), row(unit="p-tn-mt", field="dat_dai")])
    assert import_responses(campaign, data, source="a.csv").imported == 3
    again = import_responses(campaign, data, source="a.csv")
    assert (again.imported, again.already_present) == (0, 3)
    assert count() == 3


def test_an_explicit_key_column_identifies_rows(campaign):
    header = [*HEADER, "key"]
    data = csv_bytes([[*row(), "PHIEU-001"], [*row(), "PHIEU-002"]], header=header)
    assert import_responses(campaign, data, source="a.csv").imported == 2
    changed = csv_bytes([[*row(ratings=["1"] * 22), "PHIEU-001"]], header=header)
    with pytest.raises(ImportRejected) as caught:
        import_responses(campaign, changed, source="b.csv")
    assert [str(p) for p in caught.value.problems] == [
        "Dòng 2, cột key: phiếu có khóa này đã được nhập trước đây với nội dung khác"]
    assert count() == 2


def test_excel_semicolon_files_without_bom_are_read(campaign):
    data = csv_bytes([row(comment="Tốt; nhanh")], delimiter=";", bom=False)
    assert import_responses(campaign, data, source="excel.csv").imported == 1
    assert db.session.scalar(select(Response.comment)) == "Tốt; nhanh"


def test_nfd_text_and_labels_are_normalised(campaign):
    import unicodedata
    label = unicodedata.normalize("NFD", "Cá nhân")
    comment = unicodedata.normalize("NFD", "Hài lòng")
    data = csv_bytes([row(respondent=label, comment=comment)])
    import_responses(campaign, data, source="mac.csv")
    stored = db.session.scalar(select(Response))
    assert stored.respondent_type == "ca_nhan"
    assert stored.comment == unicodedata.normalize("NFC", "Hài lòng")


@pytest.mark.parametrize(("rows", "expected"), [
    ([row(unit="xa-khong-co")], "Dòng 2, cột unit_code: đơn vị “xa-khong-co” không tham gia"),
    ([row(unit="")], "Dòng 2, cột unit_code: thiếu mã đơn vị"),
    ([row(channel="fax")], "Dòng 2, cột channel: kênh “fax” không hợp lệ"),
    ([row(respondent="")], "Dòng 2, cột respondent_type: Vui lòng chọn một ý cho câu “Ông/Bà là”"),
    ([row(respondent="doanh_nghiep")], "Dòng 2, cột respondent_type: “doanh_nghiep” không phải"),
    ([row(field="y_te")], "Dòng 2, cột field: “y_te” không phải một lựa chọn"),
    ([row(unit="p-tn-mt", field="ho_tich")], "Dòng 2, cột field: Lĩnh vực “Hộ tịch” không thuộc"),
    ([row(when="32/13/2026")], "Dòng 2, cột submitted_at: ngày giờ “32/13/2026” không đọc được"),
    ([row(when="")], "Dòng 2, cột submitted_at: ngày giờ “” không đọc được"),
    ([row(when=(today_local() + timedelta(days=3)).isoformat())],
     "Dòng 2, cột submitted_at: ngày giờ ở tương lai"),
    ([row(when=day(60))], "Dòng 2, cột submitted_at: ngày " + day(60) + " nằm ngoài"),
    ([row(ratings=["6"] + ["4"] * 21)], "Dòng 2, cột tc1: giá trị “6” không hợp lệ"),
    ([row(ratings=["4,5"] + ["4"] * 21)], "Dòng 2, cột tc1: giá trị “4,5” không hợp lệ"),
    ([row(ratings=["bốn"] + ["4"] * 21)], "Dòng 2, cột tc1: giá trị “bốn” không hợp lệ"),
    ([row(comment="x" * 2001)], "Dòng 2, cột comment: Ý kiến dài 2.001 ký tự; tối đa 2.000"),
    ([row()[:-3]], "Dòng 2: có 25 ô nhưng tiêu đề có 28 cột."),
    ([], "tệp không có phiếu nào."),
])
def test_each_bad_row_is_refused_with_its_line_and_column(campaign, rows, expected):
    good = [row(), row()]
    with pytest.raises(ImportRejected) as caught:
        import_responses(campaign, csv_bytes(rows + good if rows else []), source="x.csv")
    messages = [str(problem) for problem in caught.value.problems]
    assert any(message.startswith(expected) for message in messages), messages
    assert count() == 0 and count(Answer) == 0


@pytest.mark.parametrize(("header", "expected"), [
    ([c for c in HEADER if c != "tc3"], "Dòng 1, cột tc3: thiếu cột bắt buộc."),
    ([c for c in HEADER if c != "unit_code"], "Dòng 1, cột unit_code: thiếu cột bắt buộc."),
    ([*HEADER, "md1"], "Dòng 1, cột md1: cột không có trong phiếu"),
    ([*HEADER, "tc1"], "Dòng 1, cột tc1: cột bị lặp lại."),
])
def test_a_bad_header_is_refused(campaign, header, expected):
    with pytest.raises(ImportRejected) as caught:
        import_responses(campaign, csv_bytes([], header=header), source="x.csv")
    assert any(str(problem).startswith(expected) for problem in caught.value.problems)


def test_every_problem_in_the_file_is_listed_at_once(campaign):
    rows = [row(), row(unit="nowhere"), row(), row(ratings=["9"] * 22), row(channel="fax")]
    with pytest.raises(ImportRejected) as caught:
        import_responses(campaign, csv_bytes(rows), source="x.csv")
    lines = sorted({problem.line for problem in caught.value.problems})
    assert lines == [3, 5, 6]
    assert sum(1 for p in caught.value.problems if p.line == 5) == 22
    assert count() == 0


def test_a_file_that_is_not_utf8_is_refused_with_advice(campaign):
    # Saved as "CSV (Comma delimited)" by a Windows Excel: Windows-1258, not UTF-8.
    data = csv_bytes([row(), row()], bom=False) + b"xa-thu,paper," + \
        "Cá nhân".encode("cp1258")
    with pytest.raises(ImportRejected) as caught:
        import_responses(campaign, data, source="ansi.csv")
    assert "CSV UTF-8" in str(caught.value.problems[0])
    assert caught.value.problems[0].line == 4
    assert count() == 0


def test_multiline_comments_keep_line_numbers_right(campaign):
    rows = [row(comment="dòng một\ndòng hai"), row(unit="nowhere")]
    with pytest.raises(ImportRejected) as caught:
        import_responses(campaign, csv_bytes(rows), source="x.csv")
    assert caught.value.problems[0].line == 4


def test_the_command_reports_its_progress_on_stderr(campaign, runner, tmp_path, monkeypatch):
    from survey_app.domain.submissions import importing

    monkeypatch.setattr(importing, "CHUNK", 2)
    path = tmp_path / "phieu.csv"
    path.write_bytes(csv_bytes([row(when=f"{day(1)} 08:0{n}") for n in range(5)]))
    result = runner.invoke(args=["import-responses", "--campaign", campaign.code, "--progress",
                                 str(path)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "Kiểm tra: 2/5 dòng (40%)", "Kiểm tra: 4/5 dòng (80%)", "Kiểm tra: 5/5 dòng (100%)",
        "Ghi: 0/5 dòng (0%)", "Ghi: 2/5 dòng (40%)", "Ghi: 4/5 dòng (80%)",
        "Ghi: 5/5 dòng (100%)"]
    assert result.stdout.startswith("Đã nhập 5 phiếu")
    quiet = runner.invoke(args=["import-responses", "--campaign", campaign.code, str(path)])
    assert quiet.stderr == "" and quiet.stdout.startswith("Đã nhập 0 phiếu")


def test_the_command_imports_an_xlsx_workbook(campaign, runner, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(HEADER)
    book.active.append([int(cell) if cell.isdigit() else cell for cell in row()])
    path = tmp_path / "phieu.xlsx"
    book.save(path)
    result = runner.invoke(args=["import-responses", "--campaign", campaign.code, str(path)])
    assert result.exit_code == 0, result.output
    assert count() == 1 and db.session.scalar(select(Answer.value).filter_by(item_code="tc1")) == 4


def test_an_approved_campaign_takes_no_import(campaign, runner, tmp_path):
    from survey_app.models import CampaignState

    campaign.state = CampaignState.APPROVED
    db.session.commit()
    with pytest.raises(DomainError, match="đã được phê duyệt"):
        import_responses(campaign, csv_bytes([row()]), source="a.csv")
    path = tmp_path / "phieu.csv"
    path.write_bytes(csv_bytes([row()]))
    result = runner.invoke(args=["import-responses", "--campaign", campaign.code, str(path)])
    assert result.exit_code != 0 and "đã được phê duyệt" in result.output
    assert count() == 0
