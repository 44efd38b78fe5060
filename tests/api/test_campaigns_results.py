"""Campaigns, results and snapshots through the API; the OpenAPI document and its page."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from survey_app.domain.results.approval import approve, latest_snapshot
from survey_app.extensions import db
from survey_app.models import Campaign, CampaignState, utcnow
from tests.api.conftest import submission


def _iso(moment) -> str:
    return moment.isoformat()


def _fill(client, headers, count: int = 4, unit: str = "xa-minh") -> None:
    for number in range(count):
        reply = client.post("/api/v1/campaigns/dot-1/responses", headers=headers,
                            json=submission(f"fill-{unit}-{number}", unit=unit,
                                            value=1 + number % 5))
        assert reply.status_code == 201, reply.get_json()


def _close_and_approve(world) -> None:
    campaign = db.session.get(Campaign, world.campaign.id)
    campaign.state = CampaignState.CLOSED
    db.session.commit()
    approve(campaign, world.admin)


def test_the_campaign_list_and_one_campaign(client, world, token_for):
    headers = token_for(world.viewer)
    listing = client.get("/api/v1/campaigns", headers=headers)
    assert listing.status_code == 200 and listing.mimetype == "application/json"
    body = listing.get_json()
    assert [item["code"] for item in body["items"]] == ["dot-1"]
    item = body["items"][0]
    assert item["units"] == ["xa-khac", "xa-minh"] and item["state"] == "open"
    assert item["instrument"]["code"] == "sipas-2640" and item["approved"] is None
    assert client.get("/api/v1/campaigns/dot-1", headers=headers).get_json() == item
    missing = client.get("/api/v1/campaigns/khong-co", headers=headers)
    assert missing.status_code == 404 and missing.get_json()["code"] == "not_found"


def test_drafts_are_listed_for_admins_only(client, world, token_for, make_campaign):
    make_campaign([world.own], code="nhap", state=CampaignState.DRAFT)
    admin_codes = {c["code"] for c in client.get(
        "/api/v1/campaigns", headers=token_for(world.admin)).get_json()["items"]}
    staff_codes = {c["code"] for c in client.get(
        "/api/v1/campaigns", headers=token_for(world.staff)).get_json()["items"]}
    assert admin_codes == {"dot-1", "nhap"} and staff_codes == {"dot-1"}


def test_since_lists_only_new_or_newly_approved_campaigns(client, world, token_for):
    headers = token_for(world.admin)
    first = client.get("/api/v1/campaigns", headers=headers).get_json()
    later = _iso(utcnow() + timedelta(minutes=5))
    assert client.get("/api/v1/campaigns", headers=headers,
                      query_string={"since": later}).get_json()["items"] == []
    earlier = _iso(utcnow() - timedelta(days=1))
    assert len(client.get("/api/v1/campaigns", headers=headers,
                          query_string={"since": earlier}).get_json()["items"]) == 1
    # as_of lies a little in the past, so nothing committed meanwhile is missed
    assert first["as_of"] < _iso(utcnow())
    _fill(client, headers, 2)
    before_approval = _iso(utcnow() - timedelta(seconds=1))
    _close_and_approve(world)
    again = client.get("/api/v1/campaigns", headers=headers,
                       query_string={"since": before_approval}).get_json()["items"]
    assert [c["code"] for c in again] == ["dot-1"] and again[0]["approved"]["version"] == 1


def test_results_are_the_compute_index_document(client, world, token_for, runner, tmp_path):
    headers = token_for(world.admin)
    _fill(client, headers, 5)
    target = tmp_path / "ket-qua.json"
    done = runner.invoke(args=["compute-index", "--campaign", "dot-1", "--format", "json",
                               "--out", str(target)])
    assert done.exit_code == 0, done.output
    from_cli = json.loads(target.read_text(encoding="utf-8"))
    reply = client.get("/api/v1/campaigns/dot-1/results", headers=headers)
    assert reply.status_code == 200 and reply.mimetype == "application/json"
    from_api = reply.get_json()
    from_api.pop("computed_at")
    from_cli.pop("computed_at")
    assert from_api == from_cli
    cut = client.get("/api/v1/campaigns/dot-1/results", headers=headers,
                     query_string={"by": "channel"}).get_json()
    assert cut["by"]["dimension"] == "channel"
    wrong = client.get("/api/v1/campaigns/dot-1/results", headers=headers,
                       query_string={"by": "nonsense"})
    assert wrong.status_code == 422 and wrong.mimetype == "application/problem+json"
    assert "by" in json.dumps(wrong.get_json()["errors"])


def test_an_approved_campaign_s_results_are_served_frozen(client, world, token_for):
    headers = token_for(world.admin)
    _fill(client, headers, 4)
    _close_and_approve(world)
    snapshot = latest_snapshot(db.session.get(Campaign, world.campaign.id))
    served = client.get("/api/v1/campaigns/dot-1/results", headers=headers).get_json()
    assert served == json.loads(json.dumps(snapshot.results))
    assert served["approval"]["version"] == 1
    # Later data (a response slipped in after approval) never changes what is served.
    campaign = db.session.get(Campaign, world.campaign.id)
    campaign.state = CampaignState.OPEN  # bypassing the rules, only to store one more
    db.session.commit()
    _fill(client, headers, 3, unit="xa-khac")
    campaign = db.session.get(Campaign, world.campaign.id)
    campaign.state = CampaignState.APPROVED
    db.session.commit()
    assert client.get("/api/v1/campaigns/dot-1/results", headers=headers).get_json() == served
    listing = client.get("/api/v1/campaigns/dot-1/snapshots", headers=headers).get_json()
    assert [(s["version"], s["n_responses"]) for s in listing["items"]] == [(1, 4)]
    assert listing["items"][0]["xlsx_sha256"] == snapshot.xlsx_sha256
    later = _iso(utcnow() + timedelta(minutes=5))
    assert client.get("/api/v1/campaigns/dot-1/snapshots", headers=headers,
                      query_string={"since": later}).get_json()["items"] == []


def test_unit_staff_see_only_their_unit_in_the_results(client, world, token_for):
    _fill(client, token_for(world.admin), 3)
    _fill(client, token_for(world.admin), 3, unit="xa-khac")
    results = client.get("/api/v1/campaigns/dot-1/results",
                         headers=token_for(world.staff)).get_json()
    assert [unit["unit_code"] for unit in results["units"]] == ["xa-minh"]


def test_the_openapi_document_is_3_1_with_bearer_tokens(client):
    reply = client.get("/api/v1/openapi.json")
    assert reply.status_code == 200
    document = reply.get_json()
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert document["security"] == [{"bearerAuth": []}]
    paths = document["paths"]
    assert {"/api/v1/campaigns", "/api/v1/campaigns/{code}/results",
            "/api/v1/campaigns/{code}/responses", "/api/v1/units"} <= set(paths)
    assert "application/problem+json" in json.dumps(paths["/api/v1/campaigns"]["get"]
                                                    ["responses"]) or \
        "UNAUTHORIZED" in json.dumps(paths["/api/v1/campaigns"]["get"]["responses"])
    # Every list endpoint takes since=.
    for path in ("/api/v1/campaigns", "/api/v1/units", "/api/v1/campaigns/{code}/snapshots",
                 "/api/v1/campaigns/{code}/responses"):
        names = {p["name"] for p in paths[path]["get"].get("parameters", [])}
        assert "since" in names, path


def test_the_docs_page_is_self_contained(client):
    reply = client.get("/api/v1/docs")
    assert reply.status_code == 200 and reply.mimetype == "text/html"
    page = reply.get_data(as_text=True)
    assert "<script" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page), "nothing loaded from elsewhere"
    assert "/api/v1/campaigns/{code}/results" in page and "submission_conflict" in page
    assert "script-src 'self'" in reply.headers["Content-Security-Policy"]


def test_unknown_addresses_and_methods_under_api_are_problems(client, world, token_for):
    headers = token_for(world.admin)
    for method, path, status in (("GET", "/api/v1/khong-co", 404), ("GET", "/api/", 404),
                                 ("DELETE", "/api/v1/campaigns", 405),
                                 ("PUT", "/api/v1/campaigns/dot-1/responses", 405)):
        reply = client.open(path, method=method, headers=headers)
        assert reply.status_code == status, path
        assert reply.mimetype == "application/problem+json", path
        body = reply.get_json()
        assert body["status"] == status and body["title"] and body["title_en"]


def test_results_that_cannot_be_computed_are_a_409_problem(client, world, token_for):
    campaign = db.session.get(Campaign, world.campaign.id)
    campaign.scoring_file = "khong-co.yaml"
    db.session.commit()
    reply = client.get("/api/v1/campaigns/dot-1/results", headers=token_for(world.admin))
    assert reply.status_code == 409 and reply.get_json()["code"] == "results_unavailable"
    assert "khong-co.yaml" in reply.get_json()["detail"]


def test_even_an_unexpected_failure_is_a_problem_document(app, client, world, token_for,
                                                          monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "api.units", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    reply = client.get("/api/v1/units", headers=token_for(world.admin))
    assert reply.status_code == 500 and reply.mimetype == "application/problem+json"
    assert reply.get_json()["code"] == "server_error" and "boom" not in reply.get_data(True)
