"""PAR points and ranking (METHODOLOGY §6)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis import DISTRICT, competition_rank, par_points, rule_points
from questionnaires import EXAMPLE_SCORING_FILE, ScoringRule, ScoringRules, load_scoring_rules

PLAIN = ScoringRule("sipas", "Chỉ số hài lòng", "overall", 30.0, 1.0)
QD766 = ScoringRule("sipas766", "Chỉ số hài lòng (QĐ 766)", "overall", 30.0, 0.9)


def test_rule_points():
    # 30 · min(1, 0.8394/1) = 25.182; 30 · min(1, 0.8394/0.9) = 27.98; ≥ 90% → 30
    assert rule_points(83.94, PLAIN) == pytest.approx(25.182)
    assert rule_points(83.94, QD766) == pytest.approx(27.98)
    assert rule_points(95.0, QD766) == 30.0
    assert math.isnan(rule_points(math.nan, PLAIN))


def test_competition_rank_on_displayed_points():
    # 25.182 and 25.178 are both shown as 25,18: they share rank 2 and the next is 4
    points = pd.Series([27.0, 25.182, 25.178, 20.0, math.nan])
    assert list(competition_rank(points)) == [1, 2, 2, 4, pd.NA]


def _results() -> pd.DataFrame:
    # index = points/0.3 under the plain rule; unit "e" has no valid answer
    units = ["a", "b", "c", "d", "e", DISTRICT]
    overall = pd.DataFrame({"unit": units, "target": "overall",
                            "index": [90.0, 83.94, 25.178 / 0.3, 20 / 0.3, math.nan, 80.0]})
    element = overall.assign(target="element:cc", index=[95.0, 80.0, 80.0, 70.0, 60.0, 85.0])
    table = pd.concat([overall, element], ignore_index=True)
    return table.assign(ci_low=table["index"] - 6, ci_high=table["index"] + 4)


def test_par_points_and_total():
    rules = ScoringRules("t", "n", (PLAIN, ScoringRule("cc", "Công chức", "element:cc",
                                                       10.0, 0.9)))
    table = par_points(_results(), rules).set_index(["rule", "unit"])
    assert DISTRICT not in table.index.get_level_values("unit")
    assert list(table.loc["sipas", "points_display"]) == pytest.approx(
        [27.0, 25.18, 25.18, 20.0, math.nan], nan_ok=True)
    assert list(table.loc["sipas", "rank"]) == [1, 2, 2, 4, pd.NA]
    # element rule: 10·min(1, 0.95/0.9) = 10, 10·0.8/0.9 = 8.89 (twice), 7.78, 6.67
    assert list(table.loc["cc", "points_display"]) == [10.0, 8.89, 8.89, 7.78, 6.67]
    assert list(table.loc["cc", "rank"]) == [1, 2, 2, 4, 5]
    # total: undefined when a part is; 27 + 10 = 37; b 25.182 + 8.889 = 34.071 and
    # c 25.178 + 8.889 = 34.067 are both shown as 34,07 and tie; d 20 + 7.778 = 27.78
    total = table.loc["total"]
    assert total.loc["a", "points"] == pytest.approx(37.0)
    assert math.isnan(total.loc["e", "points"]) and pd.isna(total.loc["e", "rank"])
    assert list(total["rank"].iloc[:4]) == [1, 2, 2, 4]


def test_shipped_example_rules():
    rules = load_scoring_rules(EXAMPLE_SCORING_FILE)
    table = par_points(_results(), rules)
    sipas = table.loc[table["rule"] == rules.rules[0].code]
    assert sipas["points"].iloc[1] == pytest.approx(25.182)


def test_rule_for_a_missing_target_is_an_error():
    rules = ScoringRules("t", "n", (ScoringRule("x", "x", "element:zz", 5.0, 1.0),))
    with pytest.raises(ValueError, match="element:zz"):
        par_points(_results(), rules)


def test_points_carry_the_interval_of_the_index():
    # METHODOLOGY §6: points of ci_low..ci_high. a: overall 90 (84–94) under the plain rule
    # → 27 (25.2–28.2); element cc 95 (89–99) under threshold 0.9 → 10 (9.89–10);
    # total 37 (35.09–38.2), the sum of the rules' bounds.
    rules = ScoringRules("t", "n", (PLAIN, ScoringRule("cc", "Công chức", "element:cc",
                                                       10.0, 0.9)))
    table = par_points(_results(), rules).set_index(["rule", "unit"])
    assert table.loc[("sipas", "a"), ["points_low", "points_high"]].tolist() == pytest.approx(
        [25.2, 28.2])
    assert table.loc[("cc", "a"), ["points_low", "points_high"]].tolist() == pytest.approx(
        [10 * 0.89 / 0.9, 10.0])
    assert table.loc[("total", "a"), ["points_low", "points_high"]].tolist() == pytest.approx(
        [25.2 + 10 * 0.89 / 0.9, 38.2])


def test_units_without_enough_responses_keep_points_but_get_no_rank():
    # METHODOLOGY §6: a (90%) has too few responses: it keeps its 27 points, with no rank,
    # and the ranking is among the others — b becomes 1st, not 2nd.
    ranked = pd.DataFrame({"unit": ["a", "b", "c", "d", "e"],
                           "ranked": [False, True, True, True, True]})
    table = par_points(_results(), ScoringRules("t", "n", (PLAIN,)), ranked=ranked)
    total = table.loc[table["rule"] == "total"].set_index("unit")
    assert total.loc["a", "points"] == pytest.approx(27.0) and pd.isna(total.loc["a", "rank"])
    assert not total.loc["a", "ranked"]
    assert total.loc[["b", "c", "d"], "rank"].tolist() == [1, 1, 3]
