"""Every form of the app, posted with its fields left out or filled with nonsense, by a
signed-in admin: a Vietnamese 4xx page or a redirect, never a 500.

The routes come from the app's URL map (as in ``tests/security``), so a form added later is
covered without editing this file. A stale page, an old bookmark or a hand-made request can
leave any field out, and a view must not assume the browser sent what its page shows.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import Counter, Role
from survey_app.services.seeding import seed_demo
from tests.security.test_csrf_everywhere import path_for, post_rules

#: A value no field of the app accepts as it stands (an Arabic-Indic digit and a letter), under
#: every field name the forms and the paper-entry screens use.
NONSENSE = dict.fromkeys((
    "campaign", "unit", "count", "code", "name", "kind", "parent_id", "active", "field_codes",
    "starts_on", "deadline", "instrument_version_id", "headline_method", "valid_threshold",
    "margin_of_error", "optional_blocks", "target", "role", "unit_ids", "full_name", "kiosk",
    "username", "password", "current_password", "new_password", "confirm", "serial",
    "comment", "decision", "next", "respondent_type", "file", "action"), "\u0663x")
#: Leaves the session (checked in ``tests/staff``); posted last would end the walk early.
SIGNS_OUT = {"staff.logout"}
#: Only an anonymous visitor posts there (a signed-in admin is sent on).
ANONYMOUS_ONLY = {"staff.login"}


@pytest.mark.parametrize("body", [{}, NONSENSE], ids=["fields-left-out", "nonsense"])
def test_no_form_answers_a_missing_or_nonsense_field_with_a_server_error(
        app, client, make_user, login_as, body):
    seed_demo(date.today())
    db.session.commit()
    admin, _ = make_user("qt-hong", role=Role.ADMIN)
    token = db.session.scalar(sa.select(Counter.token).limit(1))
    anonymous = app.test_client()
    for rule in post_rules(app):
        if rule.endpoint in SIGNS_OUT:
            continue
        login_as(admin)
        sender = anonymous if rule.endpoint in ANONYMOUS_ONLY else client
        reply = sender.post(path_for(rule, token), data=body)
        assert reply.status_code < 500, (rule.rule, reply.status_code)
        if reply.status_code >= 400:
            page = reply.get_data(as_text=True)
            assert 'lang="vi"' in page and "<h1" in page, (rule.rule, page[:300])
