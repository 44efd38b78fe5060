"""Results pages: who sees what, escaped comments, search, number display, charts."""

from __future__ import annotations

import pytest

from survey_app.domain.results import presented as data
from survey_app.models import Role
from tests.results.conftest import build_results

TNMT = "Phòng Tài nguyên và Môi trường"
DAK_HA = "UBND xã Đắk Hà"


@pytest.fixture
def world(make_unit, make_campaign, make_user, add_responses):
    """Two units with answers and comments, and one user of each role."""
    tnmt = make_unit("p-tnmt", TNMT)
    dak_ha = make_unit("xa-dak-ha", DAK_HA)
    campaign = make_campaign([tnmt, dak_ha], code="2026-huyen")
    add_responses(campaign, tnmt, 12, comments=[
        "<script>alert('x')</script> thủ tục Đất đai chậm", "Cán bộ nhiệt tình, chu đáo", None])
    add_responses(campaign, dak_ha, 9, comments=["Xã Đắk Hà: phòng chờ chật"], seed=2)
    users = {role: make_user(role.value, role, units=[tnmt] if role is Role.UNIT_STAFF else [])[0]
             for role in Role}
    return {"campaign": campaign, "tnmt": tnmt, "dak_ha": dak_ha, "users": users}


def _get(client, login_as, user, url):
    login_as(user)
    return client.get(url)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.VIEWER])
def test_admins_and_viewers_see_every_unit(client, login_as, world, role):
    page = _get(client, login_as, world["users"][role], "/results/").get_data(as_text=True)
    assert TNMT in page and DAK_HA in page
    assert "Tổng hợp toàn huyện" in page
    assert "<svg" in page and "khoảng tin cậy 95%" in page
    unit = _get(client, login_as, world["users"][role], "/results/unit/xa-dak-ha")
    assert unit.status_code == 200
    assert "phòng chờ chật" in unit.get_data(as_text=True)


def test_unit_staff_see_only_their_unit(client, login_as, world):
    staff = world["users"][Role.UNIT_STAFF]
    page = _get(client, login_as, staff, "/results/").get_data(as_text=True)
    assert TNMT in page
    assert DAK_HA not in page
    assert _get(client, login_as, staff, "/results/unit/p-tnmt").status_code == 200
    assert _get(client, login_as, staff, "/results/unit/xa-dak-ha").status_code == 403
    assert _get(client, login_as, staff, "/results/unit/khong-co").status_code == 404
    with client.get("/results/download/csv") as response:
        csv_text = response.get_data(as_text=True)
    assert TNMT in csv_text and DAK_HA not in csv_text


def test_unknown_campaign_is_404(client, login_as, world):
    viewer = world["users"][Role.VIEWER]
    assert _get(client, login_as, viewer, "/results/?campaign=khong-co").status_code == 404


def test_comments_are_escaped(client, login_as, world):
    page = _get(client, login_as, world["users"][Role.ADMIN],
                "/results/unit/p-tnmt").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "<script>alert" not in page


@pytest.mark.parametrize(("query", "found", "missing"), [
    ("dat dai", "thủ tục Đất đai chậm", "nhiệt tình"),
    ("CÁN BỘ", "nhiệt tình", "Đất đai chậm"),
    ("  nhiet   tinh ", "nhiệt tình", "Đất đai chậm"),
])
def test_comment_search_ignores_case_and_diacritics(client, login_as, world, query, found,
                                                    missing):
    login_as(world["users"][Role.VIEWER])
    page = client.get("/results/unit/p-tnmt", query_string={"q": query}).get_data(as_text=True)
    assert found in page
    assert missing not in page


def test_search_finding_nothing_says_so(client, login_as, world):
    login_as(world["users"][Role.VIEWER])
    page = client.get("/results/unit/p-tnmt", query_string={"q": "<b>không có</b>"})
    text = page.get_data(as_text=True)
    assert "0 ý kiến khớp với “&lt;b&gt;không có&lt;/b&gt;”" in text


def test_numbers_are_shown_vietnamese_style(client, login_as, world, monkeypatch):
    results = build_results()
    monkeypatch.setattr(data, "campaign_results", lambda campaign, by=None: results)
    results["units"][2]["unit_name"] = "<b>Phòng</b> Tư pháp"
    results["units"][1]["differs_from_district"] = {"differs": True, "direction": "above"}
    results["units"][0]["differs_from_district"] = {"differs": False, "direction": ""}
    page = _get(client, login_as, world["users"][Role.VIEWER],
                "/results/").get_data(as_text=True)
    assert "83,94" in page  # 83.9444… rounded half-up with a decimal comma
    assert "80,82–87,07" in page  # its interval
    assert "25,18" in page  # points
    assert "83.94" not in page
    assert "Cao hơn" in page and "Không khác biệt" in page
    assert "&lt;b&gt;Phòng&lt;/b&gt; Tư pháp" in page  # in the table and in the SVG
    assert "<b>Phòng" not in page
    unit = _get(client, login_as, world["users"][Role.VIEWER],
                "/results/unit/xa-dak-ha").get_data(as_text=True)
    assert "—" in unit  # pa4 has no valid answer: shown as a dash, never 0


def test_approval_button_is_for_admins_only(client, login_as, world):
    admin, viewer = world["users"][Role.ADMIN], world["users"][Role.VIEWER]
    assert "Phê duyệt kết quả" in _get(client, login_as, admin, "/results/").get_data(
        as_text=True)
    assert "Phê duyệt kết quả" not in _get(client, login_as, viewer, "/results/").get_data(
        as_text=True)
    login_as(viewer)
    assert client.post("/results/approve", data={"campaign": "2026-huyen"}).status_code == 403


@pytest.mark.parametrize("url", ["/results/", "/results/unit/p-tnmt",
                                 "/results/download/xlsx"])
def test_anonymous_visitors_are_sent_to_the_login(app, client, world, url):
    if "staff.login" not in app.view_functions:
        pytest.skip("staff.login comes with the staff blueprint (merged separately)")
    response = client.get(url)
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]
    assert client.post("/results/approve", data={"campaign": "2026-huyen"}).status_code == 302
