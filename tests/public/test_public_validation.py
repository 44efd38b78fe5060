"""Bad submissions: refused with the problems named, every answer kept, nothing stored, no 500."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import URLSafeTimedSerializer

from survey_app.domain.submissions.antistuffing import DEVICE_COOKIE
from survey_app.extensions import db
from tests.public.public_support import (
    RATING_CODES,
    checked,
    full_answers,
    hidden_fields,
    key_of,
    response_count,
    stored_responses,
)


def few_answers(count: int, value: str = "5") -> dict[str, str]:
    answers = dict.fromkeys(RATING_CODES[:count], value)
    answers["respondent_type"] = "ca_nhan"
    return answers


def test_too_few_ratings_are_refused_naming_the_missing_questions(place, serve):
    form = serve(place.url)
    answers = {**few_answers(5), "tt2": "0", "tt3": "0", "gender": "nam", "comment": "Tốt"}
    refused = form.post(answers)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Cần đánh giá ít nhất 11 trong 22 câu" in html
    assert "mới đánh giá 5 câu" in html
    assert "Các câu chưa trả lời: 8, 9, 10," in html  # 6 and 7 were "not applicable"
    assert '<a href="#tt4">' in html  # the summary leads to the first one missing
    assert html.count('<p class="note">Chưa trả lời</p>') == 15
    assert checked(html) == {**dict.fromkeys(RATING_CODES[:5], "5"), "tt2": "0", "tt3": "0",
                             "respondent_type": "ca_nhan", "gender": "nam"}
    assert ">Tốt</textarea>" in html
    assert key_of(hidden_fields(html)) == key_of(form.hidden)  # the same key: one response
    assert response_count() == 0
    assert form.post(few_answers(11)).status_code == 303
    assert response_count() == 1


def test_the_threshold_is_the_campaigns(place, serve):
    place.campaign.valid_threshold = 0.25
    db.session.commit()
    assert serve(place.url).post(few_answers(6)).status_code == 303


def test_the_respondent_type_is_required(place, serve):
    answers = full_answers()
    del answers["respondent_type"]
    refused = serve(place.url).post(answers)
    assert refused.status_code == 422
    assert "Vui lòng chọn một ý cho câu “Ông/Bà là”." in refused.get_data(as_text=True)
    assert response_count() == 0


@pytest.mark.parametrize(("field", "value", "status", "message"), [
    ("tc1", "6", 400, "Câu trả lời “6” không hợp lệ."),
    ("tc1", "-1", 400, "Câu trả lời “-1” không hợp lệ."),
    ("tc1", "4.0", 400, "Câu trả lời “4.0” không hợp lệ."),
    ("tc1", " 4", 400, "Câu trả lời “4” không hợp lệ."),
    ("tc1", "năm", 400, "Câu trả lời “năm” không hợp lệ."),
    ("tc1", "5\x00", 400, "không hợp lệ"),
    ("zz9", "5", 400, "trường không thuộc bảng hỏi: “zz9”"),
    ("ph1", "1", 400, "trường không thuộc bảng hỏi: “ph1”"),  # another questionnaire's item
    ("gender", "ong", 422, "Giới tính: lựa chọn “ong” không hợp lệ."),
    ("age_band", "<script>", 422, "Độ tuổi: lựa chọn “&lt;script&gt;” không hợp lệ."),
    ("comment", "x" * 2001, 422, "Ý kiến dài 2.001 ký tự; tối đa 2.000 ký tự."),
])
def test_bad_values_are_refused_and_named(place, serve, field, value, status, message):
    form = serve(place.url)
    refused = form.post(full_answers("3", **{field: value}))
    assert refused.status_code == status
    html = refused.get_data(as_text=True)
    assert "Phiếu chưa gửi được" in html and message in html
    kept = checked(html)
    assert all(kept[code] == "3" for code in RATING_CODES if code != field)
    assert response_count() == 0


def test_a_field_outside_the_units_list_is_refused(client, make_unit, make_campaign, serve):
    unit = make_unit(field_codes=["ho_tich", "khac"])
    make_campaign([unit])
    refused = serve(f"/s/{unit.counters[0].token}").post(full_answers(field="dat_dai"))
    assert refused.status_code == 422
    assert "Lĩnh vực “Đất đai” không thuộc Xã Thử." in refused.get_data(as_text=True)
    assert response_count() == 0


def test_a_comment_of_2000_characters_is_kept_whole_and_cleaned(place, serve):
    comment = "ệ" * 1990 + "\u202e\x00 đúng\r\n"
    assert serve(place.url).post({**full_answers(), "comment": comment}).status_code == 303
    [response] = stored_responses()
    assert response.comment == "ệ" * 1990 + " đúng"


def test_two_values_for_one_question_are_refused(client, place, serve):
    form = serve(place.url)
    data = [*form.hidden.items(), *full_answers().items(), ("tc1", "1")]
    refused = client.post(place.url, data=urlencode(data),
                          content_type="application/x-www-form-urlencoded")
    assert refused.status_code == 400
    assert "Mỗi câu chỉ được chọn một câu trả lời." in refused.get_data(as_text=True)
    assert response_count() == 0


def test_five_thousand_fields_are_refused_briefly(client, place, serve):
    form = serve(place.url)
    names = [f"_{i:x}" for i in range(5000)]  # short enough to fit under the body limit
    data = {**form.hidden, **full_answers(), **dict.fromkeys(names, "")}
    refused = client.post(place.url, data=urlencode(data),
                          content_type="application/x-www-form-urlencoded")
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "(và 4995 trường khác)" in html and len(html) < 40_000
    assert response_count() == 0


def test_an_oversized_body_gets_a_friendly_413(client, place, serve):
    form = serve(place.url)
    refused = form.post({**full_answers(), "comment": "a" * 40_000})
    assert refused.status_code == 413
    html = refused.get_data(as_text=True)
    assert "Nội dung gửi lên quá lớn" in html and '<html lang="vi">' in html
    assert response_count() == 0


def test_invalid_utf8_and_nul_bytes_never_cause_a_500(client, place, serve):
    form = serve(place.url)
    body = urlencode({**form.hidden, **full_answers()}).encode() + \
        b"&comment=%FF%FE%C3%28%00ok&gender=n%E1%BB"
    refused = client.post(place.url, data=body,
                          content_type="application/x-www-form-urlencoded")
    assert refused.status_code == 422
    assert "Giới tính: lựa chọn" in refused.get_data(as_text=True)
    assert response_count() == 0


def test_a_file_upload_is_refused(client, place, serve):
    form = serve(place.url)
    data = {**form.hidden, **full_answers(), "anh": (io.BytesIO(b"GIF89a"), "a.gif")}
    refused = client.post(place.url, data=data, content_type="multipart/form-data")
    assert refused.status_code == 400
    assert "“anh”" in refused.get_data(as_text=True)
    assert response_count() == 0


@pytest.mark.parametrize("token", ["", "khong-phai-khoa", "x" * 5000])
def test_a_missing_or_forged_key_rerenders_the_form_with_a_fresh_key(client, place, serve,
                                                                      token):
    form = serve(place.url)
    form.hidden["k"] = token
    refused = form.post(full_answers("2"))
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "Biểu mẫu đã cũ hoặc không hợp lệ" in html
    assert checked(html)["tc1"] == "2"
    fresh = hidden_fields(html)["k"]
    assert fresh and fresh != token
    assert response_count() == 0
    form.hidden["k"] = fresh
    assert form.post(full_answers("2")).status_code == 303
    assert response_count() == 1


def test_a_key_signed_with_another_secret_is_not_accepted(client, place, serve):
    form = serve(place.url)
    forged = URLSafeTimedSerializer("not-our-secret", salt="survey-form-key").dumps(
        ["0" * 32, place.campaign.id, place.campaign.instrument_version_id, "qr",
         place.counter.id, None])
    form.hidden["k"] = forged
    assert form.post().status_code == 400
    assert response_count() == 0


def test_a_key_cannot_be_moved_to_another_counter(client, make_unit, make_campaign, serve):
    first, second = make_unit(), make_unit(code="xa-hai", name="Xã Hai")
    make_campaign([first, second])
    form = serve(f"/s/{first.counters[0].token}")
    form.url = f"/s/{second.counters[0].token}"
    moved = form.post()
    assert moved.status_code == 400
    assert key_of(hidden_fields(moved.get_data(as_text=True))) != key_of(form.hidden)
    assert response_count() == 0


class TestCsrf:
    @pytest.fixture
    def config_overrides(self, config_overrides):
        return {**config_overrides, "WTF_CSRF_ENABLED": True}

    def test_a_form_without_its_session_keeps_the_answers_and_gets_a_fresh_token(
            self, app, place, serve):
        form = serve(place.url)
        form.client = app.test_client()  # the browser lost its session cookie
        refused = form.post(full_answers("5", tc2="1"))
        assert refused.status_code == 400
        html = refused.get_data(as_text=True)
        assert "Phiên trả lời đã hết hạn" in html
        assert checked(html)["tc2"] == "1"
        fields = hidden_fields(html)
        assert key_of(fields) == key_of(form.hidden)
        assert fields["csrf_token"] != form.hidden["csrf_token"]
        assert response_count() == 0
        form.hidden = fields
        assert form.post(full_answers("5", tc2="1")).status_code == 303
        assert response_count() == 1

    def test_an_expired_token_keeps_the_answers(self, app, place, serve, monkeypatch):
        import itsdangerous.timed
        issued = itsdangerous.timed.time.time() - 5 * 3600  # beyond the 4-hour limit
        monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                            lambda self: int(issued))
        form = serve(place.url)
        monkeypatch.undo()
        refused = form.post(full_answers("4"))
        assert refused.status_code == 400
        assert "Phiên trả lời đã hết hạn" in refused.get_data(as_text=True)
        form.hidden = hidden_fields(refused.get_data(as_text=True))
        assert form.post(full_answers("4")).status_code == 303
        assert response_count() == 1

    def test_a_replay_needs_no_valid_token(self, app, place, serve):
        form = serve(place.url)
        assert form.post().status_code == 303
        form.client = app.test_client()
        assert form.post().status_code == 303  # nothing new is written by a replay
        assert response_count() == 1


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(fields=st.dictionaries(
    st.sampled_from([*RATING_CODES[:4], "respondent_type", "field", "comment", "k", "zz",
                     "csrf_token", "gender"]),
    st.one_of(st.text(max_size=30), st.sampled_from(["0", "1", "5", "6", "ca_nhan"])),
    max_size=8))
def test_arbitrary_forms_never_cause_a_500(client, place, serve, fields):
    client.delete_cookie(DEVICE_COOKIE)
    form = serve(place.url)
    page = form.post({**full_answers(), **fields})
    assert page.status_code in (303, 400, 422), page.get_data(as_text=True)
    if page.status_code != 303:
        assert "Phiếu chưa gửi được" in page.get_data(as_text=True)
