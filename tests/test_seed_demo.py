"""``flask --app wsgi seed-demo``: the province of today by default, the 2021 district on
request, both in one database, with generated responses that are valid and give results."""

from __future__ import annotations

import re
from collections import Counter as Tally
from datetime import date

from sqlalchemy import func, select

from survey_app.domain.accounts.accounts import verify_password
from survey_app.domain.campaigns.instruments import instrument_of
from survey_app.domain.operations import demo_gia_lai
from survey_app.domain.operations.seeding import AGENCIES, COMMUNES, seed_demo
from survey_app.domain.results import results as results_service
from survey_app.domain.submissions.public_survey import open_campaign
from survey_app.domain.submissions.responses import required_rated
from survey_app.extensions import db
from survey_app.models import (
    Answer,
    Campaign,
    CampaignState,
    Counter,
    Response,
    ResponseStatus,
    Role,
    Unit,
    UnitKind,
    User,
)
from survey_app.support.dates import today_local


def kinds() -> dict[UnitKind, int]:
    return dict(Tally(db.session.scalars(select(Unit.kind))))


def passwords(output: str) -> dict[str, str]:
    return dict(re.findall(r"Tài khoản (\S+) .*mật khẩu: (\S+)", output))


def test_the_default_demo_is_gia_lai_province_in_its_present_shape(runner):
    result = runner.invoke(args=["seed-demo", "--responses", "3000"])
    assert result.exit_code == 0, result.output
    # 1 province, 20 departments, 25 wards + 105 communes, Vân Canh's 4 divisions
    assert kinds() == {UnitKind.PROVINCE: 1, UnitKind.DEPARTMENT: 20, UnitKind.COMMUNE: 130,
                       UnitKind.DIVISION: 4}
    names = set(db.session.scalars(select(Unit.name)))
    assert {"Xã Vân Canh", "Xã Canh Vinh", "Xã Canh Liên", "Sở Nội vụ", "Phường Quy Nhơn",
            "Phường Pleiku"} <= names
    assert len(names) == 155  # no name twice
    province = db.session.scalar(select(Unit).filter_by(kind=UnitKind.PROVINCE))
    assert province.name == "Tỉnh Gia Lai" and not province.counters
    below = db.session.scalars(select(Unit).where(Unit.kind.in_(
        [UnitKind.DEPARTMENT, UnitKind.COMMUNE]))).all()
    van_canh = db.session.scalar(select(Unit).filter_by(name="Xã Vân Canh"))
    assert all(unit.parent_id == province.id for unit in below)
    # one counter each, but Vân Canh is surveyed at its divisions' counters
    assert {len(unit.counters) for unit in below if unit is not van_canh} == {1}
    assert not van_canh.counters
    divisions = db.session.scalars(select(Unit).filter_by(kind=UnitKind.DIVISION)).all()
    assert {unit.parent_id for unit in divisions} == {van_canh.id}

    campaign = db.session.scalar(select(Campaign).filter_by(code="demo"))
    assert campaign.organiser_id == province.id
    assert campaign.state is CampaignState.OPEN
    assert campaign.starts_on.year == campaign.deadline.year == today_local().year
    # Vân Canh takes part through its one-stop centre and two divisions: the province's
    # results drill down into the commune (issue 16.3).
    covered = sorted(divisions, key=lambda unit: unit.id)[:3]
    assert any(unit.name.startswith("Trung tâm Phục vụ hành chính công") for unit in covered)
    assert {target.unit_id for target in campaign.targets} == (
        {unit.id for unit in below} - {van_canh.id} | {unit.id for unit in covered})
    small = db.session.scalar(select(Campaign).filter_by(code="demo-van-canh"))
    assert small.organiser_id == van_canh.id
    assert {target.unit_id for target in small.targets} == {unit.id for unit in divisions}
    # every poster of the demo leads to a campaign open today (none answers "no survey")
    counters = db.session.scalars(select(Counter)).all()
    assert len(counters) == 20 + 130 - 1 + 4
    assert all(open_campaign(counter.unit_id, today_local()) is not None for counter in counters)

    # the staff pages open on the province's campaign, not the commune's
    from survey_app.domain.campaigns.campaign_scope import visible_campaigns
    sonoivu = db.session.scalar(select(User).filter_by(username="sonoivu"))
    assert [c.code for c in visible_campaigns(sonoivu)] == ["demo", "demo-van-canh"]

    accounts = passwords(result.output)
    assert set(accounts) == {"admin", "sonoivu", "vancanh"}
    for username, units in (("admin", []), ("sonoivu", [province.id]),
                            ("vancanh", [van_canh.id])):
        user = db.session.scalar(select(User).filter_by(username=username))
        assert user.role is Role.ADMIN and verify_password(user, accounts[username])
        assert [unit.id for unit in user.units] == units and user.must_change_password


def test_generated_responses_are_valid_answers_spread_so_rankings_differ(runner):
    result = runner.invoke(args=["seed-demo"])  # the default number: 6000 in the province
    assert "6200 phiếu mẫu" in result.output  # and 200 in Vân Canh's divisions
    campaign = db.session.scalar(select(Campaign).filter_by(code="demo"))
    instrument = instrument_of(campaign.instrument_version)
    rows = db.session.execute(select(Response.status, Response.n_rated, Response.submitted_at)
                              .where(Response.campaign_id == campaign.id)).all()
    assert len(rows) == 6000
    needed = required_rated(instrument, campaign.valid_threshold)
    # the stored status is the validity rule applied to the stored answers
    assert all((status is ResponseStatus.VALID) == (n_rated >= needed)
               for status, n_rated, _ in rows)
    rated = db.session.scalar(select(func.count()).select_from(Answer).join(Response).where(
        Response.campaign_id == campaign.id, Answer.value.between(1, 5)))
    assert rated == sum(n_rated for _, n_rated, _ in rows)
    assert all(campaign.starts_on.year == moment.year for _, _, moment in rows)

    results = results_service.compute_campaign_results(campaign)
    units = results["units"]
    # 20 departments and 129 communes and wards, Vân Canh through three of its divisions
    assert len(units) == 150 - 1 + 3 and sum(unit["n_valid"] for unit in units) == \
        sum(status is ResponseStatus.VALID for status, _, _ in rows)
    indices = [unit["overall"]["index"] for unit in units
               if (unit.get("overall") or {}).get("index") is not None]
    assert len(indices) > 100
    assert max(indices) - min(indices) > 10  # units differ: a ranking with something in it
    assert any(unit["sample_ok"] for unit in units) and not all(unit["sample_ok"]
                                                                 for unit in units)


def test_the_2021_district_lives_beside_the_province_under_a_historical_district(runner):
    runner.invoke(args=["seed-demo", "--responses", "0"])
    result = runner.invoke(args=["seed-demo", "--scenario", "district-2021",
                                 "--responses", "500"])
    assert result.exit_code == 0, result.output
    assert "Đã tạo 20 đơn vị, 19 quầy, đợt khảo sát 'demo-2021', 500 phiếu mẫu" in result.output
    assert "mật khẩu" not in result.output  # the admin account is already there
    assert len(COMMUNES) + len(AGENCIES) == 19
    district = db.session.scalar(select(Unit).filter_by(kind=UnitKind.DISTRICT))
    old = db.session.scalars(select(Unit).filter_by(parent_id=district.id)).all()
    assert Tally(unit.kind for unit in old) == {UnitKind.COMMUNE: 7, UnitKind.DEPARTMENT: 12}
    assert db.session.scalar(select(Unit.name).filter_by(code="tt-van-canh")) == \
        "Thị trấn Vân Canh"
    campaign = db.session.scalar(select(Campaign).filter_by(code="demo-2021"))
    assert campaign.organiser_id == district.id and campaign.state is CampaignState.CLOSED
    assert (campaign.starts_on.year, campaign.deadline.year) == (2021, 2021)
    assert {target.unit_id for target in campaign.targets} == {unit.id for unit in old}
    assert db.session.scalar(select(func.count(Campaign.id))) == 3  # the province's still there
    results = results_service.compute_campaign_results(campaign)
    assert sum(unit["n_responses"] for unit in results["units"]) == 500
    assert kinds()[UnitKind.COMMUNE] == 130 + 7


def test_the_district_alone_still_creates_the_admin(runner):
    result = runner.invoke(args=["seed-demo", "--scenario", "district-2021", "--responses", "0"])
    assert set(passwords(result.output)) == {"admin"}
    assert kinds() == {UnitKind.DISTRICT: 1, UnitKind.COMMUNE: 7, UnitKind.DEPARTMENT: 12}


def test_if_empty_keeps_its_meaning_and_an_unknown_scenario_is_refused(runner, make_unit):
    refused = runner.invoke(args=["seed-demo", "--scenario", "huyen"])
    assert refused.exit_code != 0
    make_unit("xa-that", "Xã Thật")
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "không tạo dữ liệu trình diễn" in result.output
    assert db.session.scalar(select(func.count(Unit.id))) == 1


def test_demo_codes_are_valid_unit_codes():
    from survey_app.domain.units.unit_admin import code_problem

    codes = [code for code, _ in demo_gia_lai.places()]
    codes += [code for code, _, _ in demo_gia_lai.DEPARTMENTS]
    assert len(set(codes)) == len(codes)
    assert [code for code in codes if code_problem(code)] == []
    assert demo_gia_lai.slug("Phù Mỹ Đông") == "phu-my-dong"


def test_seeded_after_the_20th_of_december_the_demo_still_takes_responses(runner):
    # The results are due on 20/12; a demo seeded later (the team's machines, CI) keeps its
    # campaigns open to the end of the year, so that every poster still leads to a form.
    late = date(today_local().year, 12, 27)
    seed_demo(late)
    db.session.commit()
    for code in ("demo", "demo-van-canh"):
        campaign = db.session.scalar(select(Campaign).filter_by(code=code))
        assert campaign.starts_on.year == campaign.deadline.year == late.year
        assert campaign.accepts_responses_on(late)
    counters = db.session.scalars(select(Counter)).all()
    assert counters and all(open_campaign(counter.unit_id, late) is not None
                            for counter in counters)
