"""Anti-stuffing: no raw address stored, one phone one response per counter, kiosk guard,
and a loose per-address rate limit (held in Redis across workers). Bursts: test_public_bursts."""

from __future__ import annotations

import ipaddress
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from survey_app import create_app
from survey_app.domain.submissions.antistuffing import DEVICE_COOKIE, DeviceMemory, client_hash
from survey_app.extensions import db
from survey_app.models import Channel
from tests.public.public_support import (
    full_answers,
    response_count,
    stored_responses,
)
from tests.support import app_config


def test_the_client_address_is_stored_only_as_a_daily_keyed_hash(app, place, serve):
    serve(place.url).post(environ_base={"REMOTE_ADDR": "203.0.113.45"})
    [response] = stored_responses()
    assert len(response.client_hash) == 64 and "203.0.113" not in response.client_hash
    now = datetime.now(UTC)
    assert response.client_hash == client_hash("203.0.113.45", now)
    assert client_hash("203.0.113.46", now) != response.client_hash
    assert client_hash("203.0.113.45", now + timedelta(days=1)) != response.client_hash
    # Without the secret key, trying every address does not find it.
    app.config["SECRET_KEY"] = "another-key"
    assert client_hash("203.0.113.45", now) != response.client_hash


def test_a_phone_that_answered_is_told_so_instead_of_a_new_form(client, place, serve):
    serve(place.url).post()
    page = client.get(place.url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Ông/Bà đã gửi phiếu" in html
    assert "trong 30 phút" in html and "phiếu giấy" in html
    assert 'name="k"' not in html


def test_a_second_response_from_the_same_phone_is_refused(app, client, place, serve):
    serve(place.url).post()
    # A fresh form obtained elsewhere, posted from the phone that already answered.
    other = serve(place.url, using=app.test_client())
    other.client = client
    refused = other.post(full_answers("1"))
    assert refused.status_code == 429
    assert "Ông/Bà đã gửi phiếu" in refused.get_data(as_text=True)
    assert response_count() == 1


def test_the_repeat_window_ends(app, client, place, serve):
    with app.test_request_context():
        memory = DeviceMemory()
        memory.remember(place.counter.id, datetime.now(UTC) - timedelta(minutes=31))
        client.set_cookie(DEVICE_COOKIE, memory.dump())
    assert serve(place.url).post().status_code == 303
    assert response_count() == 1


def test_an_altered_device_cookie_is_ignored(client, place, serve):
    client.set_cookie(DEVICE_COOKIE, "eyJ4Ijo5OTk5OTk5OTk5fQ.forged")
    assert serve(place.url).post().status_code == 303


def test_other_counters_are_not_limited_by_one_answer(client, make_unit, make_campaign, serve):
    first, second = make_unit(), make_unit(code="xa-hai", name="Xã Hai")
    make_campaign([first, second])
    assert serve(f"/s/{first.counters[0].token}").post().status_code == 303
    assert serve(f"/s/{second.counters[0].token}").post().status_code == 303
    assert response_count() == 2


class TestKiosk:
    def test_kiosk_mode_records_its_channel_and_returns_to_a_blank_form(self, client, place,
                                                                        serve):
        form = serve(f"{place.url}?kiosk=1")
        assert f'action="{place.url}?kiosk=1"' in form.html
        posted = form.post()
        assert posted.headers["Location"] == f"{place.url}/cam-on?kiosk=1"
        html = client.get(posted.headers["Location"]).get_data(as_text=True)
        # The next person starts in the default language, whatever the last one chose.
        assert f'href="{place.url}?kiosk=1&amp;lang=vi"' in html and ">Người tiếp theo</a>" in html
        assert 'src="/static/kiosk.js" defer' in html
        assert 'sau <b id="seconds">8</b> giây' in html
        with client.get("/static/kiosk.js") as script:
            assert script.status_code == 200 and b"location.replace" in script.get_data()
        [response] = stored_responses()
        assert response.channel is Channel.KIOSK

    def test_a_phone_thank_you_page_offers_no_next_form(self, client, place, serve):
        posted = serve(place.url).post()
        html = client.get(posted.headers["Location"]).get_data(as_text=True)
        assert "Người tiếp theo" not in html and "<script" not in html

    def test_a_kiosk_counter_needs_no_parameter(self, client, place, serve):
        place.counter.kiosk = True
        db.session.commit()
        form = serve(place.url)
        assert form.post().headers["Location"] == f"{place.url}/cam-on?kiosk=1"
        assert stored_responses()[0].channel is Channel.KIOSK

    def test_a_kiosk_has_no_device_limit_but_a_short_repeat_guard(self, app, client, place,
                                                                   serve):
        assert serve(f"{place.url}?kiosk=1").post().status_code == 303
        too_soon = serve(f"{place.url}?kiosk=1")  # the next blank form is served at once
        refused = too_soon.post(full_answers("3"))
        assert refused.status_code == 429
        html = refused.get_data(as_text=True)
        assert "Vui lòng chờ giây lát" in html and f'href="{place.url}?kiosk=1&amp;lang=vi"' in html
        with app.test_request_context():
            memory = DeviceMemory()
            memory.remember(place.counter.id, datetime.now(UTC) - timedelta(seconds=6))
            client.set_cookie(DEVICE_COOKIE, memory.dump())
        assert too_soon.post(full_answers("3")).status_code == 303
        assert response_count() == 2


class TestRateLimit:
    @pytest.fixture
    def config_overrides(self, config_overrides):
        return {**config_overrides, "RATELIMIT_ENABLED": True,
                "PUBLIC_RATE_LIMIT": "3 per minute"}

    def test_submissions_beyond_the_limit_get_a_friendly_429(self, app, place, serve):
        forms = [serve(place.url, using=app.test_client()) for _ in range(4)]
        assert [form.post().status_code for form in forms[:3]] == [303] * 3
        refused = forms[3].post()
        assert refused.status_code == 429
        assert "Có quá nhiều phiếu được gửi từ cùng một mạng" in refused.get_data(as_text=True)
        assert response_count() == 3
        assert serve(place.url).html  # reading the form is never limited

    def test_the_limit_is_per_address(self, app, place, serve):
        for number in range(4):
            reply = serve(place.url, using=app.test_client()).post(
                environ_base={"REMOTE_ADDR": f"198.51.100.{number // 2}"})
            assert reply.status_code == 303


class TestRateLimitAcrossWorkers:
    @pytest.fixture(params=["memory", "redis"])
    def storage(self, request) -> str:
        return "memory://" if request.param == "memory" else request.getfixturevalue(
            "redis_url")

    @pytest.fixture
    def config_overrides(self, config_overrides, storage):
        return {**config_overrides, "RATELIMIT_ENABLED": True,
                "PUBLIC_RATE_LIMIT": "2 per minute", "RATELIMIT_STORAGE_URI": storage}

    def test_the_limit_holds_across_workers_only_in_a_shared_store(
            self, app, place, serve, storage, database_url, config_overrides):
        # An address of this test's own: counts left in Redis by other runs do not matter.
        address = {"REMOTE_ADDR": str(ipaddress.IPv6Address(uuid.uuid4().int))}
        forms = [serve(place.url, using=app.test_client()) for _ in range(3)]
        assert [form.post(environ_base=address).status_code for form in forms[:2]] == [303, 303]
        # Another worker process: its own limiter storage, the same database and Redis.
        other_worker = create_app(app_config(database_url, **config_overrides))
        try:
            data = {**forms[2].hidden, **full_answers()}
            status = other_worker.test_client().post(place.url, data=data,
                                                     environ_base=address).status_code
        finally:
            with other_worker.app_context():
                db.engine.dispose()
        assert status == (429 if storage.startswith("redis://") else 303)


class TestRateLimitStoreDown:
    @pytest.fixture
    def config_overrides(self, config_overrides):
        return {**config_overrides, "RATELIMIT_ENABLED": True,
                "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:9/0"}  # nothing listens there

    def test_an_unreachable_store_does_not_stop_the_citizen(self, place, serve):
        assert serve(place.url).post().status_code == 303
        assert response_count() == 1
