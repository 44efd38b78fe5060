"""Progress: valid responses per unit against the required sample, by channel, and the pace."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey_app.domain.paper.serials import display_serial
from survey_app.extensions import db
from survey_app.models import Channel, Response, ResponseStatus, Role, Sheet, SheetBatch
from tests.staff.staff_support import add_responses, fresh, typed


def row_of(html: str, unit_name: str) -> str:
    match = re.search(r"<tr[^>]*>\s*<th scope=\"row\">" + re.escape(unit_name) + r"</th>.*?</tr>",
                      html, re.S)
    assert match, unit_name
    return match.group(0)


def cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", " ", cell).split()[0] if re.sub(r"<[^>]+>", " ", cell).split()
            else "" for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


@pytest.fixture
def district(make_unit, make_campaign):
    slow = make_unit("xa-cham", "Xã Chậm")
    done = make_unit("xa-du", "Xã Đủ")
    campaign = make_campaign([slow, done], code="dot-2026")
    for target in campaign.targets:
        if target.unit_id == done.id:
            target.fixed_target = 3
    db.session.commit()
    return campaign, slow, done


def test_counts_by_channel_requirement_and_pace(client, district, make_user, login_as):
    campaign, slow, done = district
    add_responses(campaign, slow, Channel.QR, 2)
    add_responses(campaign, slow, Channel.PAPER, 1)
    add_responses(campaign, slow, Channel.KIOSK, 1, flag="Nhiều phiếu trong 10 phút")
    add_responses(campaign, done, Channel.IMPORT, 3)
    add_responses(campaign, done, Channel.ODK, 2)
    admin, _ = make_user("quantri", role=Role.ADMIN)
    login_as(admin)
    html = client.get("/staff/progress").get_data(as_text=True)
    slow_row = row_of(html, "Xã Chậm")
    # N = 300, e = 0.05 → Yamane 172; QR 2, kiosk 0 (the flagged one is not counted), paper 1,
    # import 0, ODK 0.
    assert cells(slow_row)[:8] == ["172", "2", "0", "1", "0", "0", "3", "1,7%"]
    assert "Chậm tiến độ" in slow_row and 'class="behind"' in slow_row
    assert cells(slow_row)[-1] == "1"
    done_row = row_of(html, "Xã Đủ")
    assert cells(done_row)[:7] == ["3", "0", "0", "0", "3", "2", "5"]
    assert "Đã đủ mẫu" in done_row and "behind" not in done_row
    assert "còn 30 ngày đến hạn" in html


def test_unit_staff_see_only_their_unit(client, district, make_user, login_as):
    _, _, done = district
    user, _ = make_user("canbo", units=[done])
    login_as(user)
    html = client.get("/staff/progress").get_data(as_text=True)
    assert "Xã Đủ" in html and "Xã Chậm" not in html


def test_staff_of_a_unit_outside_the_campaign_cannot_choose_it(client, district, make_unit,
                                                               make_user, login_as):
    campaign, _, _ = district
    outsider, _ = make_user("nguoi-la", units=[make_unit("xa-khac", "Xã Khác")])
    login_as(outsider)
    assert client.get(f"/staff/progress?campaign={campaign.code}").status_code == 404
    assert "Xã Chậm" not in client.get("/staff/progress").get_data(as_text=True)


def test_invalid_responses_do_not_count(client, district, make_user, login_as):
    campaign, slow, _ = district
    add_responses(campaign, slow, Channel.QR, 2)
    response = db.session.scalars(select(Response)).first()
    response.status = ResponseStatus.INVALID
    db.session.commit()
    admin, _ = make_user("quantri", role=Role.ADMIN)
    login_as(admin)
    assert cells(row_of(client.get("/staff/progress").get_data(as_text=True), "Xã Chậm"))[1] == "1"


def test_print_twenty_enter_three_by_keyboard_and_progress_moves(client, make_unit,
                                                                 make_campaign, make_user,
                                                                 login_as):
    """The issue's path: print a batch of 20, type three sheets, watch progress move."""
    unit = make_unit("xa-canh-hien", "Xã Canh Hiển")
    campaign = make_campaign([unit], code="dot-2026")
    user, _ = make_user("canbo-ch", units=[unit])
    login_as(user)
    before = row_of(client.get("/staff/progress").get_data(as_text=True), "Xã Canh Hiển")
    assert cells(before)[3] == "0"  # paper column
    assert client.post("/staff/sheets", data={"campaign": campaign.id, "unit": unit.id,
                                              "count": "20"}).status_code == 303
    fresh()
    batch = db.session.scalar(select(SheetBatch))
    assert client.get(f"/staff/sheets/{batch.id}.pdf").status_code == 200
    serials = [s.serial for s in db.session.scalars(select(Sheet).order_by(Sheet.id))][:3]
    for digit, serial in zip("345", serials, strict=True):
        reply = client.post("/staff/entry", data=typed(serial, digit=digit))
        assert reply.status_code == 303, reply.get_data(as_text=True)
        assert f"Đã lưu phiếu số {display_serial(serial)}" in \
            client.get(reply.location).get_data(as_text=True)
    after = row_of(client.get("/staff/progress").get_data(as_text=True), "Xã Canh Hiển")
    assert cells(after)[3] == "3" and cells(after)[6] == "3"  # paper, all valid


def test_pace_is_the_requirement_times_the_elapsed_share(app, district, make_user):
    from datetime import timedelta

    from survey_app.domain.campaigns.progress import campaign_progress, elapsed_share

    campaign, _, done = district
    # 61-day period: on its 31st day 31/61 of it has passed.
    day_31 = campaign.starts_on + timedelta(days=30)
    assert elapsed_share(campaign, day_31) == pytest.approx(31 / 61)
    assert elapsed_share(campaign, campaign.starts_on - timedelta(days=5)) == 0
    assert elapsed_share(campaign, campaign.deadline + timedelta(days=5)) == 1
    for target in campaign.targets:
        target.fixed_target = 4 if target.unit_id == done.id else None
    db.session.commit()
    add_responses(campaign, done, Channel.QR, 2)
    admin, _ = make_user("quantri", role=Role.ADMIN)
    rows = {row.unit.code: row for row in campaign_progress(campaign, admin, day_31).rows}
    # Expected by day 31: 4 × 31/61 ≈ 2.03, so 2 valid responses are just behind.
    assert rows["xa-du"].behind and not rows["xa-du"].reached
    add_responses(campaign, done, Channel.QR, 1, key="more")
    rows = {row.unit.code: row for row in campaign_progress(campaign, admin, day_31).rows}
    assert not rows["xa-du"].behind and rows["xa-du"].valid == 3
    assert rows["xa-cham"].required == 172 and rows["xa-cham"].source == "yamane"
