"""Counter posters and QR images: a real decoder finds exactly the counter's address."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey_app.domain.submissions.public_survey import answer_minutes
from survey_app.extensions import db
from survey_app.models import Counter, Role
from tests.staff.staff_support import (
    decode_qr,
    fresh,
    page_count,
    pdf_pages,
    pdf_texts,
    png_image,
    render_svg_qr,
)

BASE = "https://khaosat.example.vn"


@pytest.fixture
def canh_hien(make_unit, make_user, login_as):
    unit = make_unit("xa-canh-hien", "Xã Canh Hiển")
    user, _ = make_user("canbo-ch", units=[unit])
    login_as(user)
    return unit


def test_posters_page_lists_own_counters_only(client, canh_hien, make_unit):
    other = make_unit("xa-canh-thuan", "Xã Canh Thuận")
    page = client.get("/staff/posters")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Xã Canh Hiển" in html
    assert f"{BASE}/s/{canh_hien.counters[0].token}" in html
    assert "Xã Canh Thuận" not in html and other.counters[0].token not in html
    assert 'class="grid"' in html


@pytest.mark.parametrize("paper", ["a4", "a5"])
def test_poster_pdf_carries_the_counter_url_and_names(client, canh_hien, paper):
    counter = canh_hien.counters[0]
    reply = client.get(f"/staff/posters/{counter.id}/poster-{paper}.pdf")
    assert reply.status_code == 200 and reply.mimetype == "application/pdf"
    body = reply.get_data()
    assert page_count(body) == 1
    assert decode_qr(pdf_pages(body)[0]) == [f"{BASE}/s/{counter.token}"]
    text = pdf_texts(body)[0]
    assert "Xã Canh Hiển" in text
    assert counter.name in text
    assert "Quét mã QR để đánh giá mức độ hài lòng của Ông/Bà" in text


def test_qr_png_and_svg_decode_to_the_counter_url(client, canh_hien):
    counter = canh_hien.counters[0]
    png = client.get(f"/staff/posters/{counter.id}/qr.png")
    assert png.mimetype == "image/png"
    assert decode_qr(png_image(png.get_data())) == [f"{BASE}/s/{counter.token}"]
    svg = client.get(f"/staff/posters/{counter.id}/qr.svg")
    assert svg.mimetype == "image/svg+xml"
    assert decode_qr(render_svg_qr(svg.get_data())) == [f"{BASE}/s/{counter.token}"]


def test_regenerated_token_changes_the_printed_code(client, canh_hien):
    counter = canh_hien.counters[0]
    old = counter.token
    counter.regenerate_token()
    db.session.commit()
    reply = client.get(f"/staff/posters/{counter.id}/qr.png")
    decoded = decode_qr(png_image(reply.get_data()))
    assert decoded == [f"{BASE}/s/{counter.token}"] and old not in decoded[0]


@pytest.mark.parametrize("suffix", ["poster-a4.pdf", "poster-a5.pdf", "qr.png", "qr.svg"])
def test_staff_of_another_unit_is_refused(client, make_unit, make_user, login_as, suffix):
    mine = make_unit("xa-a", "Xã A")
    theirs = make_unit("xa-b", "Xã B")
    user, _ = make_user("canbo-a", units=[mine])
    login_as(user)
    target = theirs.counters[0]
    assert client.get(f"/staff/posters/{target.id}/{suffix}").status_code == 403
    assert client.get(f"/staff/posters/{target.id + 100}/{suffix}").status_code == 404
    # Refusing changed nothing: the other unit's counter and its link are as they were.
    fresh()
    stored = db.session.scalar(select(Counter).where(Counter.id == target.id))
    assert stored.token == target.token and stored.is_active


def test_anonymous_and_viewer_are_refused(client, make_unit, make_user, login_as):
    unit = make_unit()
    counter_id = unit.counters[0].id
    anonymous = client.get(f"/staff/posters/{counter_id}/qr.png")
    assert anonymous.status_code in (302, 401)
    assert anonymous.status_code == 401 or "/staff/login" in anonymous.location
    viewer, _ = make_user("xem", role=Role.VIEWER)
    login_as(viewer)
    assert client.get("/staff/posters").status_code == 403


def test_admin_sees_every_unit(client, make_unit, make_user, login_as):
    make_unit("xa-a", "Xã A")
    make_unit("xa-b", "Xã B")
    admin, _ = make_user("quantri", role=Role.ADMIN)
    login_as(admin)
    html = client.get("/staff/posters").get_data(as_text=True)
    assert "Xã A" in html and "Xã B" in html


def test_a_revoked_counter_prints_no_poster(client, canh_hien):
    """Its link no longer takes answers: a poster of it would send people to a 404."""
    counter = canh_hien.counters[0]
    counter.is_active = False
    db.session.commit()
    assert client.get(f"/staff/posters/{counter.id}/poster-a4.pdf").status_code == 404
    assert client.get(f"/staff/posters/{counter.id}/qr.png").status_code == 404


def test_a_poster_promises_the_real_answering_time_and_the_full_name(client, make_unit,
                                                                     make_user, make_campaign,
                                                                     login_as):
    long_name = "Trung tâm phục vụ hành chính công xã Canh Hiển, tỉnh Gia Lai"
    unit = make_unit("tt-hcc-canh-hien", long_name)
    campaign = make_campaign([unit])
    user, _ = make_user("canbo-hcc", units=[unit])
    login_as(user)
    counter = unit.counters[0]
    minutes = answer_minutes(campaign)
    text = " ".join(pdf_texts(client.get(f"/staff/posters/{counter.id}/poster-a4.pdf")
                              .get_data())[0].split())
    assert f"Không ghi tên · khoảng {minutes} phút" in text
    assert long_name in text  # wrapped over lines, never cut


def test_the_qr_png_is_large_enough_to_print(client, canh_hien):
    counter = canh_hien.counters[0]
    image = png_image(client.get(f"/staff/posters/{counter.id}/qr.png").get_data())
    assert min(image.size) >= 1000
    assert decode_qr(image) == [f"{BASE}/s/{counter.token}"]


def test_the_home_page_promises_what_the_open_questionnaire_takes(client, make_unit,
                                                                  make_campaign):
    short = make_campaign([make_unit()], code="ngan")
    html = " ".join(client.get("/").get_data(as_text=True).split())
    assert f"Phiếu không ghi tên, mất khoảng {answer_minutes(short)} phút." in html
    assert answer_minutes(short) >= 3  # 22 statements and the profile: not "2 phút"
    longer = make_campaign([make_unit("xa-hai", "Xã Hai")], code="dai",
                           instrument="sipas-1001-dvhcc",
                           optional_blocks=["harassment", "expectations"])
    assert answer_minutes(longer) > answer_minutes(short)
    html = " ".join(client.get("/").get_data(as_text=True).split())
    assert f"mất khoảng {answer_minutes(longer)} phút" in html
