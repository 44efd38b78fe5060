"""Comparison with the previous campaign across mergers, renames, splits and dissolutions
(METHODOLOGY §4: "where units merged, against the sum of their predecessors, saying so")."""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import pytest

from survey_app.domain.results.results import compute, compute_campaign_results
from survey_app.extensions import db
from survey_app.models import CampaignState, ResponseStatus, UnitKind, UnitSuccession
from tests.results.counting_support import ELEMENT_OF, add_response, random_answers

MERGER = date(2025, 7, 1)


def _answers(campaign, unit, n: int, level: float, seed: int) -> list[dict[str, int]]:
    """``n`` valid responses of ``unit``; returns their answers for independent counting."""
    rng = random.Random(seed)
    kept = []
    while len(kept) < n:
        answers = random_answers(rng, level)
        if sum(1 for value in answers.values() if value in range(1, 6)) * 2 < len(ELEMENT_OF):
            continue  # would be invalid (fewer than half the items rated): draw again
        add_response(campaign, unit, answers, status=ResponseStatus.VALID)
        kept.append(answers)
    db.session.commit()
    return kept


def mean_of_elements(responses: list[dict[str, int]]) -> float:
    """METHODOLOGY §3 directly, with numpy: per item P = 100·(#4–5)/(#1–5) over the pooled
    responses (NA = 0 and blanks left out), element = mean of its defined items, overall =
    mean of the elements."""
    items = list(ELEMENT_OF)
    values = np.array([[answers.get(item, 0) for item in items] for answers in responses])
    rated = (values >= 1) & (values <= 5)
    satisfied = rated & (values >= 4)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = 100 * satisfied.sum(axis=0) / rated.sum(axis=0)
    elements = {}
    for position, item in enumerate(items):
        if not np.isnan(p[position]):
            elements.setdefault(ELEMENT_OF[item], []).append(p[position])
    return float(np.mean([np.mean(found) for found in elements.values()]))


def _link(before, after, on=MERGER):
    db.session.add(UnitSuccession(predecessor_id=before.id, successor_id=after.id,
                                  effective_on=on))


def _entry(results, code):
    return next(unit for unit in results["units"] if unit["unit_code"] == code)


@pytest.fixture
def merger(make_unit, make_campaign):
    """Xã A (40 responses) and Xã B (90) in 2024; both became Xã C (60 responses in 2026)."""
    a = make_unit("xa-a", "Xã A", valid_to=date(2025, 6, 30))
    b = make_unit("xa-b", "Xã B", valid_to=date(2025, 6, 30))
    c = make_unit("xa-c", "Xã C", valid_from=MERGER)
    before = make_campaign([a, b], code="2024", state=CampaignState.CLOSED)
    responses = {"a": _answers(before, a, 40, 0.55, 1), "b": _answers(before, b, 90, 0.9, 2)}
    now = make_campaign([c], code="2026", previous_campaign=before)
    responses["c"] = _answers(now, c, 60, 0.8, 3)
    _link(a, c)
    _link(b, c)
    db.session.commit()
    return before, now, responses


def test_a_merged_commune_is_compared_with_its_predecessors_pooled(merger):
    before, now, responses = merger
    results = compute_campaign_results(now)
    entry = _entry(results, "xa-c")
    pooled = mean_of_elements(responses["a"] + responses["b"])
    # Pooled over A's and B's responses, not the mean of their two indices (which differ
    # here: B has more than twice A's responses).
    mean_of_two = (mean_of_elements(responses["a"]) + mean_of_elements(responses["b"])) / 2
    assert abs(pooled - mean_of_two) > 0.1
    assert entry["change"]["index_previous"] == pytest.approx(pooled)
    assert entry["overall"]["index"] == pytest.approx(mean_of_elements(responses["c"]))
    assert entry["change"]["change"] == pytest.approx(mean_of_elements(responses["c"]) - pooled)
    # The same figure as the 2024 district total, which pooled exactly these two communes.
    earlier = compute_campaign_results(before)["district"]["overall"]["index"]
    assert entry["change"]["index_previous"] == pytest.approx(earlier)
    low, high = entry["change"]["ci_low"], entry["change"]["ci_high"]
    assert low < entry["change"]["change"] < high
    assert entry["previous_mapping"] == {
        "kind": "merged", "comparable": True, "units": ["xa-a", "xa-b"],
        "note": "So sánh với tổng của Xã A, Xã B cũ."}


def test_the_unit_page_and_the_csv_say_how_it_was_mapped(merger, client, admin):
    page = client.get("/results/unit/xa-c?campaign=2026")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "So với đợt trước (2024):" in html
    assert "So sánh với tổng của Xã A, Xã B cũ." in html
    download = client.get("/results/download/csv?campaign=2026")
    assert download.status_code == 200
    assert "So sánh với tổng của Xã A, Xã B cũ." in download.get_data(as_text=True)


def test_the_cached_results_follow_a_link_added_later(make_unit, make_campaign):
    a = make_unit("xa-a", "Xã A")
    c = make_unit("xa-c", "Xã C")
    before = make_campaign([a], code="2024", state=CampaignState.CLOSED)
    old = _answers(before, a, 30, 0.7, 4)
    now = make_campaign([c], code="2026", previous_campaign=before)
    _answers(now, c, 30, 0.8, 5)
    entry = _entry(compute(now).results, "xa-c")
    assert entry["change"] is None
    assert entry["previous_mapping"]["note"] == ("Không so sánh được: đơn vị không có trong "
                                                 "đợt trước (2024).")
    _link(a, c)
    db.session.commit()
    entry = _entry(compute(now).results, "xa-c")  # from the cache if the key had not changed
    assert entry["previous_mapping"]["note"] == "So sánh với Xã A cũ."
    assert entry["change"]["index_previous"] == pytest.approx(mean_of_elements(old))


def test_a_renamed_unit_is_compared_with_its_old_self(make_unit, make_campaign):
    a = make_unit("xa-a", "Xã A")
    c = make_unit("xa-c", "Xã C")
    before = make_campaign([a], code="2024", state=CampaignState.CLOSED)
    old = _answers(before, a, 35, 0.6, 6)
    now = make_campaign([c], code="2026", previous_campaign=before)
    _answers(now, c, 30, 0.8, 7)
    _link(a, c)
    db.session.commit()
    results = compute_campaign_results(now)
    entry = _entry(results, "xa-c")
    assert entry["change"]["index_previous"] == pytest.approx(mean_of_elements(old))
    assert entry["previous_mapping"]["kind"] == "renamed"
    assert entry["previous_mapping"]["note"] == "So sánh với Xã A cũ."


def test_a_split_says_it_cannot_compare(make_unit, make_campaign):
    a = make_unit("xa-a", "Xã A")
    c, d = make_unit("xa-c", "Xã C"), make_unit("xa-d", "Xã D")
    before = make_campaign([a], code="2024", state=CampaignState.CLOSED)
    _answers(before, a, 40, 0.6, 8)
    now = make_campaign([c, d], code="2026", previous_campaign=before)
    _answers(now, c, 30, 0.8, 9)
    _answers(now, d, 30, 0.7, 10)
    _link(a, c)
    _link(a, d)
    db.session.commit()
    results = compute_campaign_results(now)
    for code in ("xa-c", "xa-d"):
        entry = _entry(results, code)
        assert entry["change"] is None
        assert entry["previous_mapping"]["comparable"] is False
        assert entry["previous_mapping"]["note"].startswith(
            "Không so sánh được: Xã A cũ đã chia tách thành Xã C, Xã D")


def test_a_dissolved_district_and_a_continuing_commune(make_unit, make_campaign):
    district = make_unit("huyen-vc", "Huyện Vân Canh", kind=UnitKind.DISTRICT,
                         valid_to=date(2025, 6, 30))
    a = make_unit("xa-a", "Xã A", parent_id=district.id)
    b = make_unit("xa-b", "Xã B")  # new: no predecessor
    e = make_unit("xa-e", "Xã E")  # its predecessor was not surveyed
    old_e = make_unit("xa-e-cu", "Xã E Cũ")
    before = make_campaign([district, a], code="2024", state=CampaignState.CLOSED)
    old = _answers(before, a, 30, 0.6, 11)
    _answers(before, district, 30, 0.6, 12)
    now = make_campaign([a, b, e], code="2026", previous_campaign=before)
    for seed, unit in enumerate((a, b, e)):
        _answers(now, unit, 30, 0.8, 20 + seed)
    _link(old_e, e)
    db.session.commit()
    assert db.session.get(type(district), district.id).dissolved
    assert not db.session.get(type(a), a.id).dissolved
    results = compute_campaign_results(now)
    assert {unit["unit_code"] for unit in results["units"]} == {"xa-a", "xa-b", "xa-e"}
    same = _entry(results, "xa-a")
    assert same["change"]["index_previous"] == pytest.approx(mean_of_elements(old))
    assert same["previous_mapping"] == {"kind": "same", "comparable": True,
                                        "units": ["xa-a"], "note": None}
    assert _entry(results, "xa-b")["previous_mapping"]["kind"] == "new"
    absent = _entry(results, "xa-e")
    assert absent["change"] is None
    assert absent["previous_mapping"]["note"] == (
        "Không so sánh được: không đơn vị tiền thân nào (Xã E Cũ cũ) có trong đợt trước "
        "(2024).")


def test_predecessors_without_a_valid_response_cannot_be_compared(make_unit, make_campaign):
    a, b, c = make_unit("xa-a", "Xã A"), make_unit("xa-b", "Xã B"), make_unit("xa-c", "Xã C")
    other = make_unit("xa-khac", "Xã Khác")  # the 2024 campaign itself has valid responses
    before = make_campaign([a, b, other], code="2024", state=CampaignState.CLOSED)
    add_response(before, a, {"tc1": 5}, status=ResponseStatus.INVALID)
    _answers(before, other, 30, 0.7, 14)
    now = make_campaign([c], code="2026", previous_campaign=before)
    _answers(now, c, 30, 0.8, 13)
    _link(a, c)
    _link(b, c)
    db.session.commit()
    entry = _entry(compute_campaign_results(now), "xa-c")
    assert entry["change"] is None
    assert entry["previous_mapping"]["note"] == ("Không so sánh được: đợt trước không có "
                                                 "phiếu hợp lệ nào của Xã A, Xã B cũ.")


@pytest.mark.parametrize("weighting", ["respondent", "dossier"])
def test_the_combined_totals_are_the_district_rows_over_the_same_units(merger, weighting):
    # The 2024 campaign has exactly A and B: its district rows (compute_results' own
    # district path) must equal the batched total over {A, B}, every column of every row.
    from analysis import combined_totals
    from survey_app.domain.campaigns.instruments import instrument_of
    from survey_app.domain.results.results import _frames, read_snapshot

    before, _, _ = merger
    before.weighting = weighting
    before.targets[0].transactions_n, before.targets[1].transactions_n = 500, 4000
    db.session.commit()
    instrument = instrument_of(before.instrument_version)
    with read_snapshot() as connection:
        frames = _frames(connection, before, instrument, ["unit"])
    weights = frames.weights_table()
    members = dict.fromkeys(frames.unit_ids(), "total")
    combined = combined_totals(frames.passes.counts, frames.table, instrument, members,
                               method=before.headline_method, weights=weights)
    district = frames.district_rows()
    assert list(combined["target"]) == list(district["target"])
    for column in ("index", "ci_low", "ci_high", "variance", "df", "n", "n_respondents",
                   "n_valid", "mean_score", "n_elements"):
        assert combined[column].to_numpy(dtype=float) == pytest.approx(
            district[column].to_numpy(dtype=float), nan_ok=True), column


def test_a_merger_under_dossier_weighting_uses_the_predecessors_n(merger):
    before, now, _ = merger
    now.weighting = "dossier"
    before.targets[0].transactions_n, before.targets[1].transactions_n = 500, 4000
    db.session.commit()
    entry = _entry(compute_campaign_results(now), "xa-c")
    before.weighting = "dossier"
    db.session.commit()
    district = compute_campaign_results(before)["district"]["overall"]["index"]
    units = {unit["unit_code"]: unit["overall"]["index"]
             for unit in compute_campaign_results(before)["units"]}
    # METHODOLOGY §3: the N-weighted mean of A's and B's own indices.
    assert district == pytest.approx((500 * units["xa-a"] + 4000 * units["xa-b"]) / 4500)
    assert entry["change"]["index_previous"] == pytest.approx(district)
    assert entry["previous_mapping"]["kind"] == "merged"
