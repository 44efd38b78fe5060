"""Counting in the database equals counting what was inserted; results equal the analysis."""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import analysis
from survey_app.domain.results import counting
from survey_app.domain.results.results import compute_campaign_results, read_snapshot
from survey_app.extensions import db
from survey_app.models import Campaign, CampaignState, Channel, Response, ResponseStatus
from tests.results.counting_support import (
    ELEMENT_OF,
    ITEMS_2640,
    add_response,
    expected_counts,
    populate,
)

CUTS = ["unit_id", "field", "channel", "counter"]
SQL_CUT = {"unit_id": "unit", "field": "field", "channel": "channel", "counter": "counter"}


@pytest.fixture
def survey(make_unit, make_campaign):
    """Three units (the third without responses), 40 responses each in the first two."""
    units = [make_unit("p-tnmt", "Phòng Tài nguyên và Môi trường"),
             make_unit("p-tu-phap", "Phòng Tư pháp"), make_unit("xa-dak-ha", "UBND xã Đắk Hà")]
    campaign = make_campaign(units, code="2026")
    inserted = populate(campaign, units[:2], random.Random(7), per_unit=40)
    return campaign, units, inserted


def _long(inserted: list[dict], key: str = "unit_id") -> pd.DataFrame:
    """Respondent-level data of the valid responses, for analysis.reference."""
    rows = [{"respondent": number, "unit": record[key], "item": item, "value": value}
            for number, record in enumerate(inserted) if record["status"] == "valid"
            for item, value in record["answers"].items()]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("key", CUTS)
def test_counts_from_the_database_equal_the_inserted_answers(survey, key):
    campaign, _, inserted = survey
    with read_snapshot() as connection:
        table = counting.count_table(connection, campaign.id, ITEMS_2640, [SQL_CUT[key]])
    null = counting.null_key(SQL_CUT[key])  # NULL group values are a sentinel in pandas
    found = {(None if row[SQL_CUT[key]] == null else row[SQL_CUT[key]], row["item"],
              row["value"]): row["count"] for _, row in table.iterrows()}
    assert found == dict(expected_counts(inserted, key))
    assert table["count"].sum() == sum(expected_counts(inserted, key).values())


@pytest.mark.parametrize("key", ["unit_id", "channel"])
def test_only_the_instrument_s_items_are_counted_whatever_their_order(survey, key):
    """Pass 1 numbers the items it is given: answers of other items find no slot."""
    campaign, _, inserted = survey
    items = [ITEMS_2640[5], ITEMS_2640[0], ITEMS_2640[21]]
    with read_snapshot() as connection:
        table = counting.count_table(connection, campaign.id, items, [SQL_CUT[key]])
    found = {(row[SQL_CUT[key]], row["item"], row["value"]): row["count"]
             for _, row in table.iterrows()}
    expected = {group: count for group, count in expected_counts(inserted, key).items()
                if group[1] in items}
    assert found == expected and set(table["item"]) == set(items)


def test_invalid_and_flagged_responses_are_left_out_and_reported(survey):
    campaign, units, inserted = survey
    with read_snapshot() as connection:
        respondents = counting.respondent_table(connection, campaign.id, ["unit"])
        statuses = counting.status_counts(connection, campaign.id, ["unit"])
    for unit in units[:2]:
        mine = [r for r in inserted if r["unit_id"] == unit.id]
        valid = sum(r["status"] == "valid" for r in mine)
        assert respondents.set_index("unit").at[unit.id, "n_respondents"] == valid
        per_status = statuses.loc[statuses["unit"] == unit.id].set_index("status")["n"]
        assert per_status.to_dict() == {"valid": valid, "invalid": 4, "flagged": 4}

    results = compute_campaign_results(campaign)
    assert results["excluded"] == {"invalid": 8, "flagged": 8, "rejected": 0}
    entry = next(u for u in results["units"] if u["unit_code"] == "p-tnmt")
    assert (entry["n_responses"], entry["n_valid"], entry["n_excluded"]) == (40, 32, 8)
    assert results["district"]["n_valid"] == 64
    assert results["district"]["overall"]["n_respondents"] == 64


# The real structure packs element membership into one integer; one element per item
# (22 > 12 elements) takes the fallback of one MAX column per target.
@pytest.mark.parametrize("per_item", [False, True], ids=["packed", "fallback"])
def test_the_second_pass_equals_the_reference_on_respondent_data(survey, per_item):
    campaign, _, inserted = survey
    structure = {item: item for item in ITEMS_2640} if per_item else ELEMENT_OF
    answers = _long(inserted)
    weights = analysis.compute_weights(analysis.count_table(answers, structure), structure)
    expected = analysis.moments_table(answers, weights, structure)
    with read_snapshot() as connection:
        moments = counting.moments_table(connection, campaign.id, weights,
                                         analysis.structure_of(structure), ["unit"])
    merged = expected.merge(moments, on=["unit", "target"], how="outer",
                            suffixes=("", "_db"))
    n_targets = 22 + 3 if per_item else 5 + 3
    assert len(merged) == len(expected) == len(moments) == 2 * n_targets
    assert (merged["n_respondents"] == merged["n_respondents_db"]).all()
    assert np.allclose(merged["sum_z2"], merged["sum_z2_db"], rtol=1e-9, atol=1e-15)
    assert np.allclose(merged["sum_z4"], merged["sum_z4_db"], rtol=1e-9, atol=1e-20)


def test_every_index_equals_the_analysis_of_hand_built_tables(survey):
    campaign, units, inserted = survey
    for target in campaign.targets:  # enough responses to be ranked (METHODOLOGY §6)
        target.fixed_target = 30
    db.session.commit()
    answers = _long(inserted)
    counts = analysis.count_table(answers, ELEMENT_OF)
    respondents = analysis.respondent_table(answers)
    moments = analysis.moments_table(answers, analysis.compute_weights(counts, ELEMENT_OF),
                                     ELEMENT_OF)
    table = analysis.compute_results(counts, respondents, moments, ELEMENT_OF,
                                     method="mean-of-elements").set_index(["unit", "target"])
    results = compute_campaign_results(campaign)

    for unit in units[:2]:
        entry = next(u for u in results["units"] if u["unit_code"] == unit.code)
        _same(entry["overall"], table.loc[(unit.id, "overall")])
        _same(entry["overall_methods"]["pooled"], table.loc[(unit.id, "overall:pooled")])
        for element in ("tc", "tt", "cc", "kq", "pa"):
            _same(entry["elements"][element], table.loc[(unit.id, f"element:{element}")])
        for item in ITEMS_2640:
            _same(entry["criteria"][item], table.loc[(unit.id, f"criterion:{item}")])
        # PAR points: 30 · index/100 with the shipped example rule (threshold 1.0).
        assert entry["points"] == pytest.approx(30 * entry["overall"]["index"] / 100)
    _same(results["district"]["overall"], table.loc[(analysis.DISTRICT, "overall")])
    assert [u["rank"] for u in results["units"]] == [1, 2, None]


def _same(entry: dict, row: pd.Series) -> None:
    assert entry["index"] == pytest.approx(row["index"], rel=1e-12)
    assert entry["ci_low"] == pytest.approx(row["ci_low"], rel=1e-9)
    assert entry["ci_high"] == pytest.approx(row["ci_high"], rel=1e-9)
    assert entry["n"] == row["n"]
    assert entry["mean"] == pytest.approx(row["mean_score"], rel=1e-12)


def test_a_unit_without_responses_has_undefined_indices_not_zero(survey):
    _, _, _ = survey
    campaign = survey[0]
    results = compute_campaign_results(campaign)
    empty = next(u for u in results["units"] if u["unit_code"] == "xa-dak-ha")
    assert empty["n_valid"] == 0
    assert empty["overall"]["index"] is None and empty["points"] is None
    assert all(e["index"] is None for e in empty["elements"].values())
    assert empty["sample_required"] == 172 and empty["sample_ok"] is False
    assert empty["sample_status"] == "chưa đủ mẫu"


def test_an_item_nobody_rated_is_null_and_leaves_the_element(make_unit, make_campaign):
    unit = make_unit()
    campaign = make_campaign([unit])
    answers = dict.fromkeys(ITEMS_2640, 5) | {"pa1": 0, "pa2": 0, "pa3": 0, "pa4": 0,
                                                  "tc1": 2}
    for _ in range(3):
        add_response(campaign, unit, answers)
    db.session.commit()
    entry = compute_campaign_results(campaign)["units"][0]
    assert entry["criteria"]["pa1"]["index"] is None and entry["criteria"]["pa1"]["n"] == 0
    assert entry["elements"]["pa"]["index"] is None
    # tc: (0 + 100 + 100 + 100)/4 = 75; mean of the four defined elements = (75+100·3)/4.
    assert entry["elements"]["tc"]["index"] == pytest.approx(75.0)
    assert entry["overall"]["index"] == pytest.approx(93.75)


def test_cuts_add_up_to_the_district(survey):
    campaign, _, inserted = survey
    results = compute_campaign_results(campaign, by="field")
    groups = results["by"]["groups"]
    assert results["by"]["dimension"] == "field"
    assert [g["key"] for g in groups] == ["dat_dai", "ho_tich", "ld_tbxh", None]
    assert groups[-1]["label"] == "Không trả lời"
    assert sum(g["district"]["n_valid"] for g in groups) == results["district"]["n_valid"]
    for group in groups:
        valid = [r for r in inserted if r["field"] == group["key"] and r["status"] == "valid"]
        assert group["district"]["n_valid"] == len(valid)
        satisfied = sum(v in (4, 5) for r in valid for v in r["answers"].values())
        rated = sum(1 <= v <= 5 for r in valid for v in r["answers"].values())
        assert group["district"]["overall_methods"]["pooled"]["index"] == pytest.approx(
            100 * satisfied / rated)
        assert {u["unit_code"] for u in group["units"]} == {"p-tnmt", "p-tu-phap"}
        assert all(u["points"] is None and u["rank"] is None for u in group["units"])


def test_a_cut_with_one_group_repeats_the_district(survey):
    campaign = survey[0]
    results = compute_campaign_results(campaign, by="respondent_type")
    (group,) = results["by"]["groups"]
    assert (group["key"], group["label"]) == ("ca_nhan", "Cá nhân")
    # Equal up to the order of floating-point sums (PostgreSQL may add in another order).
    assert group["district"]["overall"] == pytest.approx(results["district"]["overall"])
    for code, element in results["district"]["elements"].items():
        assert group["district"]["elements"][code] == pytest.approx(element)


@pytest.mark.parametrize("by", ["channel", "counter"])
def test_cuts_by_channel_and_counter(survey, by):
    campaign, units, inserted = survey
    results = compute_campaign_results(campaign, by=by)
    groups = {g["key"]: g for g in results["by"]["groups"]}
    if by == "channel":
        assert set(groups) == {"paper", "qr"}
        assert groups["qr"]["label"] == Channel.QR.label
    else:
        assert set(groups) == {units[0].counters[0].id, units[1].counters[0].id, None}
        assert groups[units[0].counters[0].id]["label"] == units[0].counters[0].name
        assert [u["unit_code"] for u in groups[units[0].counters[0].id]["units"]] == ["p-tnmt"]
    key = "channel" if by == "channel" else "counter"
    for value, group in groups.items():
        valid = [r for r in inserted if r[key] == value and r["status"] == "valid"]
        assert group["district"]["n_valid"] == len(valid)


def test_change_against_the_previous_campaign(make_unit, make_campaign):
    unit = make_unit()
    before = make_campaign([unit], code="2025", state=CampaignState.CLOSED)
    for number in range(20):
        add_response(before, unit, dict.fromkeys(ITEMS_2640, 5 if number < 10 else 2))
    db.session.commit()
    now = make_campaign([unit], code="2026", previous_campaign_id=before.id)
    for _ in range(20):
        add_response(now, unit, dict.fromkeys(ITEMS_2640, 5))
    db.session.commit()
    results = compute_campaign_results(db.session.get(Campaign, now.id))
    change = results["units"][0]["change"]
    assert results["previous_campaign"] == "2025"
    assert change["index_previous"] == pytest.approx(50.0)
    assert change["change"] == pytest.approx(50.0)
    assert change["changed"] is True and change["direction"] == "up"
    assert results["district"]["change"]["change"] == pytest.approx(50.0)


def test_flagged_responses_never_move_an_index(survey):
    campaign, units, _ = survey
    before = compute_campaign_results(campaign)
    for _ in range(30):
        add_response(campaign, units[0], dict.fromkeys(ITEMS_2640, 1),
                     status=ResponseStatus.FLAGGED)
    db.session.commit()
    after = compute_campaign_results(campaign)
    assert after["district"]["overall"] == before["district"]["overall"]
    assert after["excluded"]["flagged"] == before["excluded"]["flagged"] + 30


def test_results_are_json_numbers_without_nan(survey):
    results = compute_campaign_results(survey[0], by="field")

    def walk(value):
        if isinstance(value, dict):
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)
        else:
            assert value is None or isinstance(value, (str, int, float, bool))
            assert not (isinstance(value, float) and math.isnan(value))
    walk(results)


def test_holm_flags_equal_the_analysis(survey):
    campaign, units, inserted = survey
    answers = _long(inserted)
    counts = analysis.count_table(answers, ELEMENT_OF)
    moments = analysis.moments_table(answers, analysis.compute_weights(counts, ELEMENT_OF),
                                     ELEMENT_OF)
    table = analysis.compute_results(counts, analysis.respondent_table(answers), moments,
                                     ELEMENT_OF)
    flags = analysis.compare_with_district(table).set_index("unit")
    results = compute_campaign_results(campaign)
    for unit in units[:2]:
        entry = next(u for u in results["units"] if u["unit_code"] == unit.code)
        expected = flags.loc[unit.id]
        assert entry["differs_from_district"]["p_holm"] == pytest.approx(expected["p_holm"])
        assert entry["differs_from_district"]["differs"] == bool(expected["differs"])
        assert entry["differs_from_district"]["direction"] == expected["direction"]


def test_headline_method_sample_targets_and_margin(make_unit, make_campaign):
    units = [make_unit("a", "A"), make_unit("b", "B")]
    campaign = make_campaign(units, headline_method="pooled", margin_of_error=0.1)
    campaign.targets[1].fixed_target = 2
    db.session.commit()
    for unit in units:
        for number in range(3):
            add_response(campaign, unit, dict.fromkeys(ITEMS_2640, 5 if number else 2)
                         | {"pa1": 0, "pa2": 0})
    db.session.commit()
    results = compute_campaign_results(campaign)
    assert results["method"] == "pooled"
    by_code = {u["unit_code"]: u for u in results["units"]}
    for entry in by_code.values():
        assert entry["overall"] == entry["overall_methods"]["pooled"]
        # pooled: 2 of 3 respondents satisfied on each of 20 rated items → 40/60.
        assert entry["overall"]["index"] == pytest.approx(100 * 40 / 60)
    # Yamane with e = 0.1: ⌈300 / (1 + 300·0.01)⌉ = 75; a fixed target of 2 overrides it.
    assert (by_code["a"]["sample_required"], by_code["a"]["sample_source"]) == (75, "yamane")
    assert (by_code["b"]["sample_required"], by_code["b"]["sample_source"]) == (2, "target")
    assert by_code["b"]["sample_ok"] is True and by_code["b"]["sample_status"] == "đủ mẫu"
    # equal points would share the rank; "a" is short of its sample: points, no rank
    assert [u["rank"] for u in results["units"]] == [1, None]
    assert by_code["a"]["provisional"] and not by_code["b"]["provisional"]
    assert by_code["a"]["points"] == by_code["b"]["points"]


def test_answers_are_only_ever_read_grouped(survey):
    """The analysis never loads answer rows: every statement reading them aggregates."""
    from sqlalchemy import event

    campaign = survey[0]
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        compute_campaign_results(campaign, by="field")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    reading = [s for s in statements if "FROM answer" in s or "JOIN answer" in s]
    # Per unit with responses (each unit's tables are counted, and cached, on their own):
    # two passes for the units, pass 1 again with invalid responses (validity rule
    # sensitivity), two passes for the cut by field.
    with_responses = db.session.scalar(sa.select(sa.func.count(sa.distinct(Response.unit_id)))
                                       .where(Response.campaign_id == campaign.id))
    assert with_responses >= 2
    assert len(reading) == 5 * with_responses
    assert all("GROUP BY" in s and ("count(" in s.lower() or "sum(" in s.lower())
               and "response.unit_id = " in s for s in reading)


@pytest.mark.parametrize("by", ["field", "counter"])
def test_a_cut_where_nobody_has_a_value(make_unit, make_campaign, by):
    unit = make_unit()
    campaign = make_campaign([unit])
    for number in range(4):
        add_response(campaign, unit, dict.fromkeys(ITEMS_2640, 5 if number else 1),
                     field=None, counter_id=None)
    db.session.commit()
    results = compute_campaign_results(campaign, by=by)
    (group,) = results["by"]["groups"]
    assert (group["key"], group["label"]) == (None, "Không trả lời")
    assert group["district"]["overall"]["index"] == pytest.approx(75.0)
    assert group["units"][0]["n_valid"] == 4
