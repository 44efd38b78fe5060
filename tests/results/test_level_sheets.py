"""The workbook's level sheets (issue 16.3): one sheet per level of the unit tree with a
drill-down, each the level page's rows; none for a flat campaign; Excel's title rules; the
same results give the same bytes, also once approved; a scoped user gets what they see."""

from __future__ import annotations

import hashlib
import io
import re

import openpyxl
import pytest
from sqlalchemy import select

from survey_app.domain.results import levels
from survey_app.domain.results.exports import write_workbook
from survey_app.domain.results.exports.sheet_titles import MAX_LENGTH, clean, unique_title
from survey_app.extensions import db
from survey_app.models import Campaign, CampaignState, ResultSnapshot, Role, Unit, UnitKind

LONG_A = "Xã Ia Hrung thuộc vùng biên giới phía Tây, đơn vị thứ nhất"
LONG_B = "Xã Ia Hrung thuộc vùng biên giới phía Tây, đơn vị thứ hai"
CENTRE = "Trung tâm Phục vụ hành chính c…"
#: The two long names cut alike: the first in the workbook keeps the cut name.
LONG_TITLES = ["Xã Ia Hrung thuộc vùng biên gi…", "Xã Ia Hrung thuộc vùng biê… (2)"]
COLUMNS = ("Hạng", "Mã đơn vị", "Tên đơn vị", "Số đơn vị gộp", "Chỉ số chung (%)",
           "Cận dưới KTC 95% (%)", "Cận trên KTC 95% (%)", "Số phiếu hợp lệ")


@pytest.fixture
def province(make_unit, make_campaign, add_responses):
    """Gia Lai-shaped: a department and a lone commune directly under the province, Vân
    Canh over its own desk and a centre with two desks of its own, two communes whose long
    names begin alike, each over two divisions."""
    top = make_unit("tinh", "Tỉnh Gia Lai", UnitKind.PROVINCE)
    made = {"tinh": top}

    def unit(code, name, kind, parent, n=0, seed=1):
        made[code] = make_unit(code, name, kind, parent_id=made[parent].id)
        return code, n, seed

    plan = [unit("so-nv", "Sở Nội vụ", UnitKind.DEPARTMENT, "tinh", 40, 2),
            unit("xa-cv", "Xã Canh Vinh", UnitKind.COMMUNE, "tinh", 25, 3),
            unit("xa-vc", "Xã Vân Canh", UnitKind.COMMUNE, "tinh", 20, 4),
            unit("vc-tt", "Trung tâm Phục vụ hành chính công xã Vân Canh", UnitKind.DIVISION,
                 "xa-vc"),
            unit("vc-tt-1", "Quầy một cửa số 1", UnitKind.DIVISION, "vc-tt", 30, 5),
            unit("vc-tt-2", "Quầy một cửa số 2", UnitKind.DIVISION, "vc-tt", 12, 6),
            unit("xa-a", LONG_A, UnitKind.COMMUNE, "tinh"),
            unit("a-1", "Bộ phận một cửa", UnitKind.DIVISION, "xa-a", 22, 7),
            unit("a-2", "Công an xã", UnitKind.DIVISION, "xa-a", 18, 8),
            unit("xa-b", LONG_B, UnitKind.COMMUNE, "tinh"),
            unit("b-1", "Bộ phận một cửa", UnitKind.DIVISION, "xa-b", 26, 9),
            unit("b-2", "Công an xã", UnitKind.DIVISION, "xa-b", 15, 10)]
    covered = [made[code] for code, n, _ in plan if n]
    campaign = make_campaign(covered, code="tinh-2026", organiser_id=top.id)
    for target in campaign.targets:  # a sample of 20 (Yamane): some units short of it
        target.transactions_n = 20
    db.session.commit()
    for code, n, seed in plan:
        if n:
            add_responses(campaign, made[code], n, seed=seed)
    return campaign


def _download(client, code: str) -> bytes:
    with client.get("/results/download/xlsx", query_string={"campaign": code}) as response:
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        return response.get_data()


def _rows(sheet) -> list[tuple]:
    return [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[1] is not None]


def _unit(code: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def _page_codes(client, campaign: str, code: str) -> list[str]:
    """The units the level page lists in its ranking table, in its order."""
    page = client.get(f"/results/level/{code}", query_string={"campaign": campaign})
    assert page.status_code == 200
    table = page.get_data(as_text=True).split('id="children-title"')[1]
    return re.findall(r'href="/results/(?:unit|level)/([^"?]+)\?', table)


def _figures(entry: dict) -> tuple:
    overall = entry["overall"]
    return (entry.get("rank"), overall["index"], overall["ci_low"], overall["ci_high"],
            entry["n_valid"])


def test_one_sheet_per_level_with_the_level_pages_rows(client, login_as, make_user,
                                                       province):
    login_as(make_user("xem", Role.VIEWER)[0])
    body = _download(client, province.code)
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    # After "Tổng hợp": the province's level, then depth first in the order of its ranking.
    ranked = [entry["unit_code"] for entry in levels.level(province, _unit("tinh"))["children"]
              if entry["has_levels"]]
    assert sorted(ranked) == ["xa-a", "xa-b", "xa-vc"]
    roots = ["tinh"]
    for code in ranked:
        roots += [code, "vc-tt"] if code == "xa-vc" else [code]
    names = {"tinh": "Cấp tỉnh", "xa-vc": "Xã Vân Canh", "vc-tt": CENTRE,
             **dict(zip([code for code in ranked if code != "xa-vc"], LONG_TITLES,
                        strict=True))}
    titles = [names[root] for root in roots]
    assert workbook.sheetnames == ["Tổng hợp", *titles, "Tiêu chí", "Phương pháp"]
    for title, root in zip(titles, roots, strict=True):
        sheet = workbook[title]
        header = next(sheet.iter_rows(max_row=1, values_only=True))
        assert header[:len(COLUMNS)] == COLUMNS
        expected = levels.level(province, _unit(root))
        rows = _rows(sheet)
        *children, total = rows
        # The level page's units, in its order (same ranking), and the same figures.
        assert [row[1] for row in children] == _page_codes(client, province.code, root)
        assert [row[1] for row in children] == [e["unit_code"] for e in expected["children"]]
        for row, entry in zip(children, expected["children"], strict=True):
            assert (row[0], row[4], row[5], row[6], row[7]) == pytest.approx(_figures(entry))
            assert row[3] == (entry["n_units"] if entry["has_levels"] else None)
        summary = expected["summary"]
        assert total[1:3] == (root, summary["unit_name"])
        assert (total[0], *total[4:8]) == pytest.approx((None, *_figures(summary)[1:]))
        assert all(isinstance(value, (int, float)) for value in total[4:8])
    top = {row[1]: row for row in _rows(workbook["Cấp tỉnh"])}
    # A commune over its divisions is one ranked row that says how many units it pools;
    # Vân Canh's centre pools its two desks, Vân Canh itself its desk and the centre's two.
    assert set(top) == {"so-nv", "xa-cv", "xa-vc", "xa-a", "xa-b", "tinh"}
    assert top["xa-vc"][3] == 3 and top["xa-a"][3] == 2 and top["so-nv"][3] is None
    assert top["tinh"][2] == "Toàn tỉnh"
    assert top["xa-vc"][7] == 20 + 30 + 12
    headers = next(workbook["Xã Vân Canh"].iter_rows(max_row=1, values_only=True))
    assert "So với tổng hợp Xã Vân Canh" in headers
    assert "So với toàn tỉnh" in next(workbook["Cấp tỉnh"].iter_rows(max_row=1,
                                                                      values_only=True))
    method = dict(workbook["Phương pháp"].iter_rows(min_row=2, values_only=True))
    assert "Số đơn vị gộp" in method["Các cấp"]
    # The same results give the same bytes.
    assert _download(client, province.code) == body


def test_an_approved_workbook_keeps_its_level_sheets_byte_for_byte(client, login_as,
                                                                  make_user, province,
                                                                  add_responses):
    admin = make_user("quantri", Role.ADMIN)[0]
    login_as(admin)
    province.state = CampaignState.CLOSED
    db.session.commit()
    approved = client.post("/results/approve", data={"campaign": province.code, "flagged": "0"},
                           follow_redirects=True)
    assert "Đã phê duyệt kết quả đợt “tinh-2026”" in approved.get_data(as_text=True)
    db.session.rollback()  # end the test's read transaction: see what the request wrote
    snapshot = db.session.scalar(select(ResultSnapshot))
    assert sorted(each["root"]["code"] for each in snapshot.results["levels"]) == [
        "tinh", "vc-tt", "xa-a", "xa-b", "xa-vc"]
    assert hashlib.sha256(snapshot.xlsx).hexdigest() == snapshot.xlsx_sha256
    # The stored workbook is rebuilt byte for byte from the stored numbers.
    again = io.BytesIO()
    write_workbook(snapshot.results, again)
    assert again.getvalue() == snapshot.xlsx
    titles = openpyxl.load_workbook(io.BytesIO(snapshot.xlsx)).sheetnames[1:6]
    assert set(titles) == {"Cấp tỉnh", "Xã Vân Canh", CENTRE, *LONG_TITLES}
    # Later data (a late response) changes neither the download nor its level sheets, nor
    # the level pages: they show the approved numbers (25 valid responses, not 30).
    add_responses(province, _unit("xa-cv"), 5, seed=11)
    assert _download(client, province.code) == snapshot.xlsx
    assert _valid_shown(client, province.code, "tinh", "xa-cv") == 25
    assert _valid_shown(client, province.code, "vc-tt", "vc-tt-1") == 30


def _valid_shown(client, campaign: str, level: str, child: str) -> int:
    """The number of valid responses the level page shows for one of its children."""
    page = client.get(f"/results/level/{level}", query_string={"campaign": campaign})
    assert page.status_code == 200
    row = re.search(rf'href="/results/(?:unit|level)/{child}\?.*?</tr>',
                    page.get_data(as_text=True), re.S).group(0)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    return int(cells[-2].replace(".", ""))  # index, valid responses (the interval has a dash)


def test_a_commune_admin_gets_the_levels_of_their_commune_only(client, login_as, make_user,
                                                               province):
    user = make_user("vancanh", Role.ADMIN, units=[_unit("xa-vc")])[0]
    login_as(user)
    workbook = openpyxl.load_workbook(io.BytesIO(_download(client, province.code)))
    # As on the pages: the province's level with their commune's row and the total, their
    # commune's levels; a level page of another commune is refused them.
    assert workbook.sheetnames == ["Tổng hợp", "Cấp tỉnh", "Xã Vân Canh",
                                   CENTRE, "Tiêu chí", "Phương pháp"]
    assert [row[1] for row in _rows(workbook["Cấp tỉnh"])] == ["xa-vc", "tinh"]
    assert [row[1] for row in _rows(workbook["Xã Vân Canh"])][-1] == "xa-vc"
    assert _page_codes(client, province.code, "tinh") == ["xa-vc"]
    assert client.get("/results/level/xa-a", query_string={
        "campaign": province.code}).status_code == 403


def test_a_campaign_of_direct_children_has_no_level_sheet(client, login_as, make_user,
                                                          make_unit, make_campaign,
                                                          add_responses):
    top = make_unit("xa", "Xã Vân Canh", UnitKind.COMMUNE)
    desks = [make_unit(f"bp-{n}", f"Bộ phận {n}", UnitKind.DIVISION, parent_id=top.id)
             for n in (1, 2)]
    campaign = make_campaign(desks, code="xa-2026", organiser_id=top.id)
    for seed, desk in enumerate(desks, start=1):
        add_responses(campaign, desk, 12, seed=seed)
    login_as(make_user("xem", Role.VIEWER)[0])
    workbook = openpyxl.load_workbook(io.BytesIO(_download(client, campaign.code)))
    # Its one level is the "Tổng hợp" sheet: the same units, the same "Toàn xã" total.
    assert workbook.sheetnames == ["Tổng hợp", "Tiêu chí", "Phương pháp"]
    found = levels.level(db.session.get(Campaign, campaign.id), top)
    assert not any(child["has_levels"] for child in found["children"])
    assert {row[1] for row in _rows(workbook["Tổng hợp"])} == {"bp-1", "bp-2"}


def test_sheet_titles_follow_excel_rules():
    taken = {"tổng hợp", "tiêu chí", "phương pháp"}
    assert unique_title("Tổng Hợp", taken) == "Tổng Hợp (2)"  # Excel ignores case
    assert unique_title("Phường 1/2: [cũ]*?", taken) == "Phường 1-2- -cũ---"
    assert unique_title("'Xã Đak Pơ'", taken) == "Xã Đak Pơ"
    long = "Trung tâm Phục vụ hành chính công xã Vân Canh"
    first, second = unique_title(long, taken), unique_title(long, taken)
    assert first == "Trung tâm Phục vụ hành chính c…" and len(first) == MAX_LENGTH
    assert second == "Trung tâm Phục vụ hành chí… (2)" and len(second) == MAX_LENGTH
    # Counted as Excel counts (UTF-16), with decomposed diacritics composed first.
    assert clean("Xa\u0303 Vân Canh") == "Xã Vân Canh"
    assert len(clean("🏛" * 40).encode("utf-16-le")) // 2 <= MAX_LENGTH
    assert clean(" ' ") == "Cấp"
