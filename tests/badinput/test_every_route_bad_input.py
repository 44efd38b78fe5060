"""Every route of the app, as a signed-in admin with nonsense: a Vietnamese 4xx page, the page
itself or a redirect, never a 500.

- every form posted with its fields left out or filled with nonsense (a stale page, an old
  bookmark or a hand-made request can leave any field out: a view must not assume the
  browser sent what its page shows);
- every page opened with nonsense in its query string (a hand-edited address).

The routes come from the app's URL map (as in ``tests/security``), so a route added later is
covered without editing this file.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.routing import Rule

from survey_app.domain.operations.seeding import seed_demo
from survey_app.extensions import db
from survey_app.models import Campaign, Counter, Role, User
from survey_app.support.dates import today_local
from tests.security.test_csrf_everywhere import path_for, post_rules

#: A value no field of the app accepts as it stands (an Arabic-Indic digit and a letter), under
#: every field name the forms and the paper-entry screens use.
NONSENSE_FORM = dict.fromkeys((
    "campaign", "unit", "count", "code", "name", "kind", "parent_id", "active", "field_codes",
    "starts_on", "deadline", "instrument_version_id", "headline_method", "valid_threshold",
    "margin_of_error", "optional_blocks", "target", "role", "unit_ids", "full_name", "kiosk",
    "username", "password", "current_password", "new_password", "confirm", "serial",
    "comment", "decision", "next", "respondent_type", "file", "action", "upload"), "\u0663x")
#: Leaves the session (checked in ``tests/staff``); posted last would end the walk early.
SIGNS_OUT = {"staff.logout"}
#: Only an anonymous visitor posts there (a signed-in admin is sent on).
ANONYMOUS_ONLY = {"staff.login"}
#: Every name the views read from the query string.
QUERY_NAMES = ("campaign", "by", "page", "q", "raw", "kiosk", "lang", "next", "new", "unit",
               "action", "user", "date_from", "date_to", "object_type", "format", "upload")
NONSENSE_QUERY = ["\u0663", "-1", "99999999999999999999", "abc", "", "1.5", "<script>", "%00"]


@pytest.fixture
def demo(make_user) -> tuple[User, str]:
    """The demo district, an admin account and one counter's token."""
    seed_demo(today_local())
    db.session.commit()
    admin, _ = make_user("qt-hong", role=Role.ADMIN)
    return admin, db.session.scalar(sa.select(Counter.token).limit(1))


#: Machine endpoints answer machines, not people. The JSON API (token-authenticated, no session
#: cookie) answers a refusal with a problem document in Vietnamese and English (tests/api).
MACHINE_PREFIX = "/api/"
#: The OpenRosa server for ODK Collect authenticates each request by HTTP Basic (the admin's
#: session cookie opens nothing there) and refuses in OpenRosa XML, which Collect shows to the
#: collector. Their refusals must be that XML instead of the HTML page; never a 5xx.
MACHINE_BLUEPRINTS = {"openrosa"}


def assert_safe(reply, where, endpoint: str = "") -> None:
    assert reply.status_code < 500, (where, reply.status_code)
    if reply.status_code >= 400 and reply.request.path.startswith(MACHINE_PREFIX):
        problem = reply.get_json()
        assert reply.mimetype == "application/problem+json", (where, reply.mimetype)
        assert problem["status"] == reply.status_code and problem["code"], (where, problem)
        assert problem["title"] and problem["title_en"], (where, problem)
    elif reply.status_code >= 400:
        page = reply.get_data(as_text=True)
        if endpoint.split(".")[0] in MACHINE_BLUEPRINTS:
            assert reply.mimetype == "text/xml" and "<OpenRosaResponse" in page, (where, page)
            return
        assert 'lang="vi"' in page and "<h1" in page, (where, page[:300])


def get_rules(app) -> list[Rule]:
    return sorted((rule for rule in app.url_map.iter_rules()
                   if "GET" in (rule.methods or ()) and rule.endpoint != "static"),
                  key=lambda rule: rule.rule)


@pytest.mark.parametrize("body", [{}, NONSENSE_FORM], ids=["fields-left-out", "nonsense"])
def test_no_form_answers_a_missing_or_nonsense_field_with_a_server_error(
        app, client, login_as, demo, body):
    admin, token = demo
    anonymous = app.test_client()
    for rule in post_rules(app):
        if rule.endpoint in SIGNS_OUT:
            continue
        login_as(admin)
        sender = anonymous if rule.endpoint in ANONYMOUS_ONLY else client
        assert_safe(sender.post(path_for(rule, token), data=body), rule.rule, rule.endpoint)


@pytest.mark.parametrize("value", NONSENSE_QUERY)
def test_no_page_answers_a_nonsense_query_with_a_server_error(app, client, login_as, demo,
                                                              value):
    admin, token = demo
    login_as(admin)
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.code == "demo"))
    nonsense = dict.fromkeys(QUERY_NAMES, value)
    # The campaign named in nonsense, then a real one so the other names are read too.
    queries = [nonsense, {**nonsense, "campaign": "demo"},
               {**nonsense, "campaign": str(campaign.id)}]
    for rule in get_rules(app):
        path = path_for(rule, token)
        for query in queries:
            assert_safe(client.get(path, query_string=query), (path, query), rule.endpoint)
