"""Results one level at a time (issue 16.3): the province's summary and its communes ranked,
a commune with divisions as their aggregate, drill-down, scoped admins, the old district."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey_app.domain.campaigns.instruments import instrument_of
from survey_app.domain.results import levels
from survey_app.domain.results import results as results_service
from survey_app.extensions import db
from survey_app.models import Answer, Campaign, Response, ResponseStatus, Unit, User

VAN_CANH = "gl-xa-van-canh"


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["seed-demo", "--responses", "1500"])
    assert result.exit_code == 0, result.output
    return db.session.scalar(select(Campaign).filter_by(code="demo"))


def test_province_level_ranks_its_children_and_a_commune_is_its_divisions_aggregate(demo):
    flat = results_service.compute_campaign_results(demo)
    assert flat["organiser"]["total_name"] == "Toàn tỉnh"
    assert flat["district"]["unit_name"] == "Toàn tỉnh"
    top = levels.level(demo, demo.organiser)
    assert top["summary"]["unit_name"] == "Toàn tỉnh"
    assert top["summary"]["overall"] == flat["district"]["overall"]
    children = {entry["unit_code"]: entry for entry in top["children"]}
    assert sum(entry["unit_kind"] == "commune" for entry in children.values()) >= 100
    # A lone unit is its own entry of the unit list (same numbers, same comparison).
    units = {entry["unit_code"]: entry for entry in flat["units"]}
    for code, entry in children.items():
        if not entry["has_levels"]:
            assert entry["overall"] == units[code]["overall"]
            assert entry["differs_from_district"] == units[code]["differs_from_district"]
    commune = children[VAN_CANH]
    assert commune["has_levels"] and commune["n_units"] == 3
    divisions = [entry for code, entry in units.items() if code.startswith(VAN_CANH + "-")]
    assert len(divisions) == 3
    # Independent checks of the aggregate: its counts are its divisions' sums, its index lies
    # between theirs, and it is the commune level's own total computed on its own.
    assert commune["n_valid"] == sum(entry["n_valid"] for entry in divisions)
    assert commune["overall"]["n"] == sum(entry["overall"]["n"] for entry in divisions)
    indices = [entry["overall"]["index"] for entry in divisions]
    assert min(indices) <= commune["overall"]["index"] <= max(indices)
    below = levels.level(demo, db.session.scalar(select(Unit).filter_by(code=VAN_CANH)))
    assert below["summary"]["overall"]["index"] == pytest.approx(commune["overall"]["index"])
    assert below["summary"]["overall"]["ci_low"] == pytest.approx(commune["overall"]["ci_low"])
    assert [step["code"] for step in below["path"]] == ["tinh-gia-lai", VAN_CANH]
    assert {entry["unit_code"] for entry in below["children"]} == {
        entry["unit_code"] for entry in divisions}
    for entry in below["children"]:
        assert entry["overall"] == units[entry["unit_code"]]["overall"]


def test_a_commune_aggregate_is_the_pooled_share_of_its_divisions_answers(demo):
    # Pooled headline, respondent weighting (METHODOLOGY §3): the commune's index is
    # 100 · s / n over every valid answer of its divisions' valid responses, s the answers
    # 4 or 5. Counted here straight from the answer rows, apart from the analysis.
    demo.headline_method = "pooled"
    db.session.commit()
    items = [item.code for item in instrument_of(demo.instrument_version).rating_items]
    divisions = db.session.scalars(select(Unit.id).where(Unit.code.like(VAN_CANH + "-%"),
                                                         Unit.id.in_(
        [target.unit_id for target in demo.targets]))).all()
    assert len(divisions) == 3
    answered = (select(func.count()).select_from(Answer).join(Response).where(
        Response.campaign_id == demo.id, Response.unit_id.in_(divisions),
        Response.status == ResponseStatus.VALID, Answer.item_code.in_(items)))
    n = db.session.scalar(answered.where(Answer.value.between(1, 5)))
    satisfied = db.session.scalar(answered.where(Answer.value.between(4, 5)))
    assert n > 100
    children = {entry["unit_code"]: entry
                for entry in levels.level(demo, demo.organiser)["children"]}
    commune = children[VAN_CANH]
    assert commune["overall"]["n"] == n
    assert commune["overall"]["index"] == pytest.approx(100 * satisfied / n, rel=1e-12)


def test_pages_drill_down_and_a_commune_admin_sees_only_their_commune(demo, client,
                                                                      login_as):
    accounts = {user.username: user for user in db.session.scalars(select(User))}
    for user in accounts.values():
        user.must_change_password = False  # the demo's generated passwords were changed
    db.session.commit()

    def _login(client, username: str) -> None:
        login_as(accounts[username])

    _login(client, "sonoivu")
    page = client.get("/results/level/tinh-gia-lai?campaign=demo")
    text = page.get_data(as_text=True)
    assert page.status_code == 200, page.location
    assert "Tổng hợp: Toàn tỉnh" in text and "Xã Canh Vinh" in text and "Sở Nội vụ" in text
    assert f"/results/level/{VAN_CANH}" in text
    index = client.get("/results/?campaign=demo").get_data(as_text=True)
    assert "Tổng hợp toàn tỉnh" in index and "So với toàn tỉnh" in index
    page = client.get(f"/results/level/{VAN_CANH}?campaign=demo")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Tổng hợp: Xã Vân Canh" in text and "Trung tâm Phục vụ hành chính công" in text
    assert "Xã Canh Vinh" not in text
    leaf = client.get("/results/level/gl-xa-canh-vinh?campaign=demo")
    assert leaf.status_code == 302 and "/results/unit/gl-xa-canh-vinh" in leaf.location
    _login(client, "vancanh")
    text = client.get("/results/level/tinh-gia-lai?campaign=demo").get_data(as_text=True)
    assert "Xã Vân Canh" in text and "Xã Canh Vinh" not in text and "Sở Nội vụ" not in text
    assert client.get("/results/level/gl-xa-canh-vinh?campaign=demo").status_code == 403
    assert client.get(f"/results/level/{VAN_CANH}?campaign=demo").status_code == 200
    assert client.get("/results/level/khong-co?campaign=demo").status_code == 404


def test_the_2021_district_campaign_keeps_toan_huyen_and_its_old_units(runner, client):
    result = runner.invoke(args=["seed-demo", "--scenario", "district-2021",
                                 "--responses", "600"])
    assert result.exit_code == 0, result.output
    campaign = db.session.scalar(select(Campaign).filter_by(code="demo-2021"))
    flat = results_service.compute_campaign_results(campaign)
    assert flat["district"]["unit_name"] == "Toàn huyện"
    top = levels.level(campaign, campaign.organiser)
    assert top["summary"]["unit_name"] == "Toàn huyện"
    assert {entry["unit_code"] for entry in top["children"]} == {
        entry["unit_code"] for entry in flat["units"]}
    assert not any(entry["has_levels"] for entry in top["children"])
