"""Results Phòng Nội vụ can defend (METHODOLOGY §3–§6): small units, like-for-like change,
weights, response rates and the validity rule, from responses stored the real way."""

from __future__ import annotations

import csv
import io
import json
import random

import openpyxl
import pypdfium2
import pytest

from survey_app.domain.results.results import compute_campaign_results
from survey_app.domain.submissions.importing import import_responses
from survey_app.extensions import db
from survey_app.models import ResponseStatus
from tests.results.counting_support import ITEMS_2640, add_response, random_answers
from tests.test_import import HEADER, csv_bytes, row

PROVISIONAL = "Chưa đủ mẫu — chưa xếp hạng"


def _ratings(rng: random.Random, level: float) -> list[str]:
    answers = random_answers(rng, level)
    return [("NA" if answers[item] == 0 else str(answers[item])) if item in answers else ""
            for item in ITEMS_2640]


@pytest.fixture
def district(make_unit, make_campaign):
    """Four communes: one with 2 responses, all "Rất hài lòng"; the others 40, 80, 150."""
    units = [make_unit("xa-nho", "Xã Nhỏ"), make_unit("xa-a", "Xã A"),
             make_unit("xa-b", "Xã B"), make_unit("xa-c", "Xã C")]
    campaign = make_campaign(units, code="2026")
    for target in campaign.targets:
        target.fixed_target = 40  # the small commune is short of it, the others are not
    db.session.commit()
    rng = random.Random(10)
    rows = [row(unit="xa-nho", ratings=["5"] * 22) for _ in range(2)]
    for code, size, level in (("xa-a", 40, 0.70), ("xa-b", 80, 0.75), ("xa-c", 150, 0.72)):
        rows += [row(unit=code, ratings=_ratings(rng, level),
                     comment=f"{code}-{number}") for number in range(size)]
    result = import_responses(campaign, csv_bytes(rows, HEADER), source="thang11.csv")
    assert result.imported == 272
    return campaign


def _by_code(results: dict) -> dict[str, dict]:
    return {unit["unit_code"]: unit for unit in results["units"]}


def test_a_tiny_unit_at_100_percent_is_neither_flagged_nor_ranked(district, runner, tmp_path):
    out = tmp_path / "ket-qua.json"
    result = runner.invoke(args=["compute-index", "--campaign", "2026", "--format", "json",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    small = _by_code(data)["xa-nho"]
    assert small["overall"]["index"] == 100.0
    assert small["differs_from_district"]["differs"] is False
    assert small["differs_from_district"]["eligible"] is False
    assert small["differs_from_district"]["note"] == "chưa đủ mẫu để so sánh"
    assert small["rank"] is None and small["provisional"] is True
    assert small["points"] == pytest.approx(30.0)  # keeps its (provisional) points
    assert small["points_ci_low"] < 30 and small["points_ci_high"] == pytest.approx(30.0)
    # the interval of 2 respondents at 100% is wide, never zero-width
    assert small["overall"]["ci_low"] < 75
    # the ranking is among the units with enough responses: ranks 1..3, the small one last
    assert [unit["unit_code"] for unit in data["units"]][-1] == "xa-nho"
    assert sorted(unit["rank"] for unit in data["units"][:3]) == [1, 2, 3]
    assert data["min_compare_responses"] == 30


def test_the_workbook_csv_and_pdf_list_it_after_the_ranking(district, runner, tmp_path):
    for fmt in ("xlsx", "csv", "pdf"):
        out = tmp_path / f"ket-qua.{fmt}"
        result = runner.invoke(args=["compute-index", "--campaign", "2026", "--format", fmt,
                                     "--out", str(out)])
        assert result.exit_code == 0, result.output
    ranked = [unit["unit_name"] for unit in compute_campaign_results(district)["units"]
              if unit["rank"] is not None]
    sheet = openpyxl.load_workbook(tmp_path / "ket-qua.xlsx")["Tổng hợp"]
    cells = list(sheet.iter_rows(min_row=2, values_only=True))
    names = [row[2] if row[2] else row[0] for row in cells]
    assert names == [*ranked, PROVISIONAL, "Xã Nhỏ", "Toàn huyện"]
    assert [row[0] for row in cells[:3]] == sorted(row[0] for row in cells[:3])
    assert cells[4][0] is None  # no rank
    assert cells[4][10] == "Chưa đủ mẫu" and cells[4][16] == "Chưa đủ mẫu để so sánh"

    text = (tmp_path / "ket-qua.csv").read_bytes()[3:].decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    ranking = {r[header.index("Tên đơn vị")]: r[header.index("Nhóm xếp hạng")]
               for r in rows[1:]}
    assert ranking["Xã Nhỏ"] == PROVISIONAL and ranking["Xã A"] == "Xếp hạng"
    assert [r[header.index("Tên đơn vị")] for r in rows[1:]][3] == "Xã Nhỏ"

    pdf = pypdfium2.PdfDocument(str(tmp_path / "ket-qua.pdf"))
    words = "".join(page.get_textpage().get_text_range() for page in pdf)
    pdf.close()
    assert PROVISIONAL in words
    assert words.index(PROVISIONAL) < words.index("Xã Nhỏ", words.index("Xếp hạng các đơn vị"))


def test_change_compares_the_same_method_both_years(make_unit, make_campaign):
    # The previous campaign's headline was pooled; this one's is the mean of elements.
    # The change must compare mean-of-elements with mean-of-elements (METHODOLOGY §4).
    unit = make_unit("xa-a", "Xã A")
    before = make_campaign([unit], code="2025", headline_method="pooled")
    now = make_campaign([unit], code="2026", previous_campaign=before)
    # Unequal element sizes and not-applicable answers make the two methods differ.
    for campaign, satisfied in ((before, 4), (now, 5)):
        for number in range(40):
            answers = dict.fromkeys(ITEMS_2640, satisfied if number % 3 else 2)
            answers |= {"pa1": 0, "pa2": 0, "pa3": 1 if number % 2 else 5}
            add_response(campaign, unit, answers)
    db.session.commit()
    earlier = compute_campaign_results(before)["units"][0]["overall_methods"]
    assert earlier["pooled"]["index"] != pytest.approx(earlier["mean-of-elements"]["index"])
    results = compute_campaign_results(now)
    change = results["units"][0]["change"]
    assert change["index_previous"] == pytest.approx(earlier["mean-of-elements"]["index"])
    assert results["previous"] == {"campaign": "2025", "method": "mean-of-elements",
                                   "weighting": "respondent", "comparable": True,
                                   "reason": None}


def test_change_is_refused_with_a_reason_across_instruments(make_unit, make_campaign):
    unit = make_unit("xa-a", "Xã A")
    before = make_campaign([unit], code="2025", instrument="sipas-1001-dvhcc")
    now = make_campaign([unit], code="2026", previous_campaign=before)
    add_response(now, unit, dict.fromkeys(ITEMS_2640, 4))
    db.session.commit()
    results = compute_campaign_results(now)
    assert results["units"][0]["change"] is None
    assert results["previous"]["comparable"] is False
    assert "bộ phiếu" in results["previous"]["reason"]


def test_mean_of_criteria_headline_and_missing_elements_are_said(make_unit, make_campaign):
    unit = make_unit("xa-a", "Xã A")
    campaign = make_campaign([unit], headline_method="mean-of-criteria")
    for number in range(6):  # nobody answered the feedback (PAKN) items
        answers = dict.fromkeys(ITEMS_2640, 5 if number else 3)
        answers |= dict.fromkeys(("pa1", "pa2", "pa3", "pa4"), 0)
        add_response(campaign, unit, answers)
    db.session.commit()
    entry = compute_campaign_results(campaign)["units"][0]
    assert entry["overall"] == entry["overall_methods"]["mean-of-criteria"]
    assert entry["overall"]["index"] == pytest.approx(100 * 5 / 6)
    assert (entry["overall"]["elements_used"], entry["overall"]["elements_total"]) == (4, 5)
    assert entry["elements"]["pa"]["index"] is None


def test_the_workbook_says_when_elements_are_missing(make_unit, make_campaign, runner,
                                                      tmp_path):
    unit = make_unit("xa-a", "Xã A")
    campaign = make_campaign([unit], code="2026")
    add_response(campaign, unit, dict.fromkeys(ITEMS_2640, 5) | dict.fromkeys(
        ("pa1", "pa2", "pa3", "pa4"), 0))
    db.session.commit()
    out = tmp_path / "k.xlsx"
    assert runner.invoke(args=["compute-index", "--campaign", "2026", "--format", "xlsx",
                               "--out", str(out)]).exit_code == 0
    text = {str(cell) for row in openpyxl.load_workbook(out)["Tổng hợp"].iter_rows(
        values_only=True) for cell in row if cell}
    assert any(cell.startswith("Chỉ số chung tính từ 4/5 yếu tố (không có số liệu: Tiếp "
                               "nhận, xử lý góp ý") for cell in text)


def test_dossier_weighting_and_response_rates(make_unit, make_campaign):
    units = [make_unit("xa-lon", "Xã Lớn"), make_unit("p-nho", "Phòng Nhỏ")]
    campaign = make_campaign(units, weighting="dossier")
    campaign.targets[0].transactions_n, campaign.targets[1].transactions_n = 3000, 100
    db.session.commit()
    for number in range(20):  # Xã Lớn: 50% satisfied; Phòng Nhỏ: all satisfied, more answers
        add_response(campaign, units[0], dict.fromkeys(ITEMS_2640, 5 if number % 2 else 1))
    for _ in range(60):
        add_response(campaign, units[1], dict.fromkeys(ITEMS_2640, 5))
    db.session.commit()
    results = compute_campaign_results(campaign)
    assert results["weighting"] == "dossier"
    by_code = _by_code(results)
    expected = (3000 * 50.0 + 100 * 100.0) / 3100
    assert results["district"]["overall"]["index"] == pytest.approx(expected)
    assert by_code["xa-lon"]["response_rate"] == pytest.approx(20 / 3000)
    # weighted by respondents instead the small office would weigh three times more
    campaign.weighting = "respondent"
    db.session.commit()
    assert compute_campaign_results(campaign)["district"]["overall"]["index"] == pytest.approx(
        (20 * 50.0 + 60 * 100.0) / 80)


def test_dossier_weighting_without_every_n_is_refused_not_guessed(make_unit, make_campaign):
    units = [make_unit("xa-a", "Xã A"), make_unit("xa-b", "Xã B")]
    campaign = make_campaign(units, weighting="dossier")
    campaign.targets[1].transactions_n = None
    campaign.targets[1].fixed_target = 10
    db.session.commit()
    for unit in units:
        add_response(campaign, unit, dict.fromkeys(ITEMS_2640, 4))
    db.session.commit()
    district = compute_campaign_results(campaign)["district"]
    assert district["overall"]["index"] is None
    assert "Chưa nhập số hồ sơ N của: Xã B" in district["note"]


@pytest.mark.parametrize(("dossiers", "valid", "problem"), [
    (0, 3, "N = 0 nhưng đơn vị có phiếu trả lời"),
    (2, 3, "số phiếu hợp lệ nhiều hơn số hồ sơ N"),
])
def test_impossible_dossier_counts_are_data_problems_never_enough(
        make_unit, make_campaign, dossiers, valid, problem):
    unit = make_unit("xa-a", "Xã A")
    campaign = make_campaign([unit])
    campaign.targets[0].transactions_n = dossiers
    campaign.targets[0].fixed_target = 1
    db.session.commit()
    for _ in range(valid):
        add_response(campaign, unit, dict.fromkeys(ITEMS_2640, 5))
    db.session.commit()
    entry = compute_campaign_results(campaign)["units"][0]
    assert entry["sample_ok"] is False and entry["provisional"] is True
    assert entry["sample_status"] == "số liệu hồ sơ không hợp lý"
    assert entry["sample_problem"] == problem and entry["rank"] is None


def test_the_validity_rule_s_effect_is_reported(make_unit, make_campaign):
    # Valid responses all satisfied; two invalid ones (5 of 22 items rated, all "1").
    unit = make_unit("xa-a", "Xã A")
    campaign = make_campaign([unit])
    for _ in range(8):
        add_response(campaign, unit, dict.fromkeys(ITEMS_2640, 5))
    for _ in range(2):
        add_response(campaign, unit, dict.fromkeys(ITEMS_2640[:5], 1),
                     status=ResponseStatus.INVALID)
    db.session.commit()
    entry = compute_campaign_results(campaign)["units"][0]
    validity = entry["validity"]
    assert validity["n_invalid"] == 2
    # mean of elements with them: tc (32 of 40 answers… per criterion 8/10) and tt1 (8/10)
    tc = 80.0
    tt = (80.0 + 100 * 4) / 5
    assert validity["index_with_invalid"] == pytest.approx((tc + tt + 300) / 5)
    assert validity["difference"] == pytest.approx(validity["index_with_invalid"] - 100)


def test_units_differ_tests_the_campaign_s_own_headline(district):
    results = compute_campaign_results(district)
    assert results["units_differ"]["target"] == "overall:mean-of-elements"
    assert results["units_differ"]["test"] == "welch"
    assert results["units_differ"]["n_groups"] == 3  # the small commune does not take part
    district.headline_method = "pooled"
    db.session.commit()
    assert compute_campaign_results(district)["units_differ"]["test"] == "rao-scott"


def test_the_results_page_lists_the_small_unit_after_the_ranking(district, client, login_as,
                                                                  make_user):
    from survey_app.models import Role

    user, _ = make_user("phongnoivu", Role.ADMIN)
    login_as(user)
    page = client.get("/results/?campaign=2026").get_data(as_text=True)
    heading = page.index(f'<h3 id="provisional-title">{PROVISIONAL}</h3>')
    assert page.index("Xã A") < heading < page.index("Xã Nhỏ")
    small = page[page.index("Xã Nhỏ"):]
    assert "Chưa đủ mẫu để so sánh" in small[:2000]
    assert "30,00 (" in small[:2000] and "(tạm tính)" in small[:2000]


def test_every_method_and_weighting_has_its_vietnamese_words():
    from questionnaires import HEADLINE_METHODS, WEIGHTINGS
    from survey_app.domain.results.result_settings import METHOD_NAMES, WEIGHTING_NAMES

    assert tuple(METHOD_NAMES) == HEADLINE_METHODS
    assert tuple(WEIGHTING_NAMES) == WEIGHTINGS


def test_responses_kept_out_by_staff_are_excluded_not_invalid(make_unit, make_campaign,
                                                              make_user):
    # METHODOLOGY §3: flagged responses staff keep out are "excluded", reported as such;
    # they are not the invalid responses of the validity rule and never enter its
    # sensitivity figure.
    from survey_app.domain.submissions.review import KEEP, review_many
    from survey_app.models import Role

    unit = make_unit("xa-a", "Xã A")
    campaign = make_campaign([unit])
    for _ in range(5):
        add_response(campaign, unit, dict.fromkeys(ITEMS_2640, 5))
    stuffed = [add_response(campaign, unit, dict.fromkeys(ITEMS_2640, 1),
                            status=ResponseStatus.FLAGGED) for _ in range(3)]
    db.session.commit()
    user, _ = make_user("phongnoivu", Role.ADMIN)
    review_many([response.id for response in stuffed], KEEP, user)
    results = compute_campaign_results(campaign)
    entry = results["units"][0]
    assert (entry["n_valid"], entry["n_invalid"], entry["n_flagged"], entry["n_rejected"]) == (
        5, 0, 0, 3)
    assert entry["n_excluded"] == 3 and results["excluded"]["rejected"] == 3
    assert entry["overall"]["index"] == 100.0
    assert entry["validity"] == {"n_invalid": 0, "index_with_invalid": 100.0, "difference": 0.0}
