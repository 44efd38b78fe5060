"""Every page of the app, opened by a signed-in admin with nonsense in its query string (an old
bookmark, a hand-edited address): the page, a redirect or a Vietnamese 4xx, never a 500.

The routes come from the app's URL map, so a page added later is covered without editing this
file; the query names are every name the app's views read from ``request.args``.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from werkzeug.routing import IntegerConverter, Rule

from survey_app.extensions import db
from survey_app.models import Campaign, Counter, Role
from survey_app.services.seeding import seed_demo

QUERY_NAMES = ("campaign", "by", "page", "q", "raw", "kiosk", "lang", "next", "new", "unit",
               "action", "user", "date_from", "date_to", "object_type", "format")
NONSENSE = ["\u0663", "-1", "99999999999999999999", "abc", "", "1.5", "<script>", "%00"]


def get_rules(app) -> list[Rule]:
    return sorted((rule for rule in app.url_map.iter_rules()
                   if "GET" in (rule.methods or ()) and rule.endpoint != "static"),
                  key=lambda rule: rule.rule)


def path_for(rule: Rule, token: str) -> str:
    """The rule's path with existing ids (1) and real values for its text parts."""
    texts = {"token": token, "paper": "a4", "kind": "png", "fmt": "xlsx", "code": "p-tn-mt"}
    values = {name: 1 if isinstance(rule._converters[name], IntegerConverter) else texts[name]
              for name in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


@pytest.mark.parametrize("value", NONSENSE)
def test_no_page_answers_a_nonsense_query_with_a_server_error(app, client, make_user,
                                                              login_as, value):
    seed_demo(date.today())
    db.session.commit()
    admin, _ = make_user("qt-hoi", role=Role.ADMIN)
    login_as(admin)
    token = db.session.scalar(sa.select(Counter.token).limit(1))
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.code == "demo"))
    nonsense = dict.fromkeys(QUERY_NAMES, value)
    # The campaign named in nonsense, then a real one so the other names are read too.
    queries = [nonsense, {**nonsense, "campaign": "demo"},
               {**nonsense, "campaign": str(campaign.id)}]
    for rule in get_rules(app):
        for query in queries:
            path = path_for(rule, token)
            reply = client.get(path, query_string=query)
            assert reply.status_code < 500, (path, query, reply.status_code)
            if reply.status_code >= 400:
                page = reply.get_data(as_text=True)
                assert 'lang="vi"' in page, (path, query, page[:300])
