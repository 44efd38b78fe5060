"""Approval freezes the results: later data never changes them, downloads stay byte-identical.

While flagged responses wait for review, the approver is told how many and must confirm that
number, on the web (a page that works without JavaScript) and on the CLI."""

from __future__ import annotations

import hashlib
import io
import json
import random

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from survey_app.domain.results.approval import (
    FlaggedNotReviewed,
    approve,
    latest_snapshot,
    snapshot_file,
)
from survey_app.domain.results.results import compute_campaign_results
from survey_app.domain.submissions.review import CLEAR, review_many
from survey_app.errors import DomainError, InvalidTransition
from survey_app.extensions import db
from survey_app.models import (
    AuditEvent,
    Campaign,
    CampaignState,
    Response,
    ResponseStatus,
    ResultSnapshot,
    Role,
)
from tests.results.counting_support import ITEMS_2640, add_response, populate


@pytest.fixture
def closed(make_unit, make_campaign):
    units = [make_unit("p-tnmt", "Phòng Tài nguyên và Môi trường"),
             make_unit("p-tu-phap", "Phòng Tư pháp")]
    campaign = make_campaign(units, code="2026", state=CampaignState.CLOSED)
    populate(campaign, units, random.Random(5), per_unit=20)
    return campaign, units


#: ``populate`` flags two responses per unit (of 20): four wait for review in ``closed``.
FLAGGED = 4


@pytest.fixture
def admin(make_user):
    return make_user("nguyenvana", Role.ADMIN)[0]


def _fresh(campaign: Campaign) -> Campaign:
    db.session.expire_all()
    return db.session.get(Campaign, campaign.id)


def test_approval_stores_a_frozen_snapshot(closed, admin):
    campaign, _ = closed
    expected = compute_campaign_results(campaign)
    snapshot = approve(campaign, admin, confirmed_flagged=FLAGGED)

    campaign = _fresh(campaign)
    stored = db.session.scalars(select(ResultSnapshot)).one()
    assert campaign.state is CampaignState.APPROVED
    assert (stored.version, stored.method, stored.n_responses) == (1, "mean-of-elements", 32)
    assert stored.instrument_versions == {"sipas-2640": [campaign.instrument_version.version]}
    assert stored.approved_by_id == admin.id and stored.approved_at is not None
    assert stored.xlsx_sha256 == hashlib.sha256(stored.xlsx).hexdigest()
    assert stored.csv.startswith(b"\xef\xbb\xbf") and stored.pdf.startswith(b"%PDF-")
    assert stored.results["district"]["overall"] == expected["district"]["overall"]
    assert stored.results["units"] == expected["units"]
    assert stored.results["campaign"]["state"] == "approved"
    assert list(stored.results["cuts"]) == ["field", "channel", "counter", "respondent_type"]
    assert stored.results["by"] == stored.results["cuts"]["field"]
    assert stored.results["cuts"]["channel"] == compute_campaign_results(
        campaign, by="channel")["by"]
    assert stored.results["approval"]["approved_by"] == "nguyenvana"
    assert stored.results["approval"]["response_fingerprint"] == stored.response_fingerprint
    assert snapshot.id == stored.id
    workbook = load_workbook(io.BytesIO(stored.xlsx), read_only=True)
    assert len(workbook.sheetnames) >= 2
    workbook.close()

    event = db.session.scalars(select(AuditEvent).filter_by(action="results.approve")).one()
    assert event.user_id == admin.id and event.object_id == "2026"
    assert event.after["xlsx_sha256"] == stored.xlsx_sha256
    assert event.after["response_fingerprint"] == stored.response_fingerprint


def test_later_data_never_changes_the_snapshot(closed, admin):
    campaign, units = closed
    approve(campaign, admin, confirmed_flagged=FLAGGED)
    stored = db.session.scalars(select(ResultSnapshot)).one()
    before = (json.dumps(stored.results, sort_keys=True), stored.xlsx_sha256,
              hashlib.sha256(stored.csv).hexdigest(), hashlib.sha256(stored.pdf).hexdigest(),
              stored.response_fingerprint)

    for _ in range(15):
        add_response(campaign, units[0], dict.fromkeys(ITEMS_2640, 1))
    add_response(campaign, units[1], dict.fromkeys(ITEMS_2640, 5),
                 status=ResponseStatus.FLAGGED)
    db.session.commit()
    db.session.expire_all()

    live = compute_campaign_results(_fresh(campaign))
    snapshot = latest_snapshot(_fresh(campaign))
    assert live["district"]["n_valid"] == 32 + 15
    assert live["district"]["overall"]["index"] != snapshot.results["district"]["overall"][
        "index"]
    after = (json.dumps(snapshot.results, sort_keys=True), snapshot.xlsx_sha256,
             hashlib.sha256(snapshot.csv).hexdigest(), hashlib.sha256(snapshot.pdf).hexdigest(),
             snapshot.response_fingerprint)
    assert after == before
    for fmt in ("xlsx", "csv", "pdf"):
        first = snapshot_file(latest_snapshot(_fresh(campaign)), fmt)
        db.session.expire_all()
        second = snapshot_file(latest_snapshot(_fresh(campaign)), fmt)
        assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
    assert hashlib.sha256(snapshot_file(snapshot, "xlsx")).hexdigest() == before[1]


def test_an_approved_campaign_cannot_be_reopened_or_approved_again(closed, admin):
    campaign, _ = closed
    approve(campaign, admin, confirmed_flagged=FLAGGED)
    campaign = _fresh(campaign)
    with pytest.raises(InvalidTransition):
        campaign.transition_to(CampaignState.OPEN)
    with pytest.raises(InvalidTransition):
        campaign.transition_to(CampaignState.CLOSED)
    db.session.rollback()
    with pytest.raises(DomainError, match="Chỉ phê duyệt được đợt khảo sát đã đóng"):
        approve(_fresh(campaign), admin, confirmed_flagged=FLAGGED)
    assert len(db.session.scalars(select(ResultSnapshot)).all()) == 1


@pytest.mark.parametrize("state", [CampaignState.OPEN, CampaignState.DRAFT])
def test_only_a_closed_campaign_can_be_approved(make_unit, make_campaign, admin, state):
    campaign = make_campaign([make_unit()], state=state)
    with pytest.raises(DomainError, match="đã đóng"):
        approve(campaign, admin)
    assert _fresh(campaign).state is state
    assert db.session.scalars(select(ResultSnapshot)).all() == []
    assert db.session.scalars(select(AuditEvent).filter_by(action="results.approve")).all() == []


def test_only_an_admin_can_approve(closed, make_user):
    campaign, _ = closed
    viewer = make_user("xem", Role.VIEWER)[0]
    with pytest.raises(DomainError, match="Chỉ tài khoản quản trị"):
        approve(campaign, viewer)
    assert _fresh(campaign).state is CampaignState.CLOSED
    assert db.session.scalars(select(ResultSnapshot)).all() == []


def test_the_fingerprint_names_the_counted_responses(closed, admin, make_unit, make_campaign):
    campaign, _ = closed
    snapshot = approve(campaign, admin, confirmed_flagged=FLAGGED)
    again = make_campaign([make_unit("khac", "Khác")], code="2027",
                          state=CampaignState.CLOSED)
    other = approve(again, admin)
    assert snapshot.response_fingerprint != other.response_fingerprint
    assert other.n_responses == 0
    assert other.response_fingerprint == hashlib.sha256(b"").hexdigest()


def test_approve_results_command(closed, admin, runner):
    result = runner.invoke(args=["approve-results", "--campaign", "2026", "--user",
                                 "nguyenvana", "--confirm-flagged", str(FLAGGED)])
    assert result.exit_code == 0, result.output
    stored = db.session.scalars(select(ResultSnapshot)).one()
    assert f"SHA-256 của tệp XLSX: {stored.xlsx_sha256}" in result.output
    again = runner.invoke(args=["approve-results", "--campaign", "2026", "--user",
                                "nguyenvana", "--confirm-flagged", str(FLAGGED)])
    assert again.exit_code == 1 and "Đã phê duyệt" in again.output
    unknown = runner.invoke(args=["approve-results", "--campaign", "2026", "--user", "ai-do"])
    assert unknown.exit_code == 1 and "Không có tài khoản “ai-do”" in unknown.output


WARNING = ("Còn 4 phiếu bị gắn cờ chưa được xem xét; chúng sẽ không được tính vào kết quả "
           "phê duyệt, và sau khi phê duyệt không thể xem xét lại.")


def state_of(campaign: Campaign) -> CampaignState:
    db.session.rollback()  # see what the requests committed
    return db.session.scalar(select(Campaign.state).where(Campaign.id == campaign.id))


def snapshots() -> int:
    return db.session.scalar(select(func.count()).select_from(ResultSnapshot))


def flagged_ids(campaign: Campaign) -> list[int]:
    db.session.rollback()
    return list(db.session.scalars(select(Response.id).where(
        Response.campaign_id == campaign.id, Response.status == ResponseStatus.FLAGGED)
        .order_by(Response.id)))


@pytest.fixture
def signed_in(client, login_as, admin):
    login_as(admin)
    return client


def test_the_approve_button_first_says_how_many_are_flagged(signed_in, closed):
    campaign, _ = closed
    page = signed_in.post("/results/approve", data={"campaign": "2026"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert WARNING in html
    assert 'type="checkbox" name="confirm_flagged"' in html
    assert 'name="flagged" type="hidden" value="4"' in html
    assert f'href="/staff/flagged?campaign={campaign.code}"' in html
    assert state_of(campaign) is CampaignState.CLOSED and snapshots() == 0


def test_without_the_box_ticked_nothing_is_approved(signed_in, closed):
    campaign, _ = closed
    refused = signed_in.post("/results/approve", data={"campaign": "2026", "flagged": "4"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Chưa đánh dấu ô xác nhận" in html and WARNING in html
    assert state_of(campaign) is CampaignState.CLOSED and snapshots() == 0


def test_confirming_the_number_shown_approves_and_keeps_them_excluded(signed_in, closed):
    campaign, _ = closed
    waiting = flagged_ids(campaign)
    done = signed_in.post("/results/approve", data={"campaign": "2026", "flagged": "4",
                                                    "confirm_flagged": "y"})
    assert done.status_code == 302
    assert state_of(campaign) is CampaignState.APPROVED and snapshots() == 1
    assert flagged_ids(campaign) == waiting and len(waiting) == FLAGGED
    event = db.session.scalars(select(AuditEvent).filter_by(action="results.approve")).one()
    assert event.after["flagged_unreviewed"] == FLAGGED
    snapshot = db.session.scalars(select(ResultSnapshot)).one()
    assert snapshot.results["excluded"]["flagged"] == FLAGGED


def test_a_review_in_between_asks_again_with_the_new_number(signed_in, closed, admin):
    campaign, _ = closed
    review_many(flagged_ids(campaign)[:1], CLEAR, admin)
    stale = signed_in.post("/results/approve", data={"campaign": "2026", "flagged": "4",
                                                     "confirm_flagged": "y"})
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "nay còn 3 phiếu" in html and "Còn 3 phiếu bị gắn cờ chưa được xem xét" in html
    assert 'name="flagged" type="hidden" value="3"' in html
    assert state_of(campaign) is CampaignState.CLOSED and snapshots() == 0


def test_the_service_refuses_a_number_that_is_not_the_current_one(closed, admin):
    campaign, _ = closed
    for confirmed in (0, 3, 5):
        with pytest.raises(FlaggedNotReviewed) as refused:
            approve(campaign, admin, confirmed_flagged=confirmed)
        assert refused.value.count == FLAGGED and str(refused.value) == WARNING
        db.session.rollback()
    assert state_of(campaign) is CampaignState.CLOSED and snapshots() == 0


def test_once_every_flag_is_reviewed_no_confirmation_is_needed(closed, admin):
    campaign, _ = closed
    review_many(flagged_ids(campaign), CLEAR, admin)
    approve(db.session.get(Campaign, campaign.id), admin)
    assert state_of(campaign) is CampaignState.APPROVED


def test_the_command_refuses_unless_given_the_number(runner, closed, admin):
    campaign, _ = closed
    base = ["approve-results", "--campaign", "2026", "--user", "nguyenvana"]
    refused = runner.invoke(args=base)
    assert refused.exit_code == 1
    assert WARNING in refused.output and "--confirm-flagged 4" in refused.output
    wrong = runner.invoke(args=[*base, "--confirm-flagged", "3"])
    assert wrong.exit_code == 1 and WARNING in wrong.output
    assert state_of(campaign) is CampaignState.CLOSED and snapshots() == 0
    done = runner.invoke(args=[*base, "--confirm-flagged", "4"])
    assert done.exit_code == 0, done.output
    assert state_of(campaign) is CampaignState.APPROVED
    with pytest.raises(DomainError):
        approve(db.session.get(Campaign, campaign.id), admin, confirmed_flagged=FLAGGED)
