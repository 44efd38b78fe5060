"""The checks every request pays for are index searches, never a scan of the response table:
the burst counts of each submission and the menu's count of flagged responses (SQLite's
plans; PostgreSQL's depend on table statistics, so they are not asserted here)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from survey_app.domain.submissions import submissions
from survey_app.domain.submissions.flagged import waiting_count
from survey_app.domain.submissions.public_survey import survey_at_counter
from survey_app.domain.submissions.responses import Submission
from survey_app.extensions import db
from survey_app.support.dates import today_local
from tests.public.public_support import RATING_CODES


@contextmanager
def statements() -> Iterator[list[tuple[str, tuple]]]:
    """The SQL statements run inside the block, with their parameters."""
    seen: list[tuple[str, tuple]] = []

    def grab(connection, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", grab)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", grab)


def plan(statement: str, parameters: tuple) -> list[str]:
    with db.engine.connect() as connection:
        return [row[-1] for row in connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {statement}", parameters)]


def counting(seen: list[tuple[str, tuple]]) -> list[tuple[str, tuple]]:
    return [(sql, params) for sql, params in seen if "count(*)" in sql.lower()]


@pytest.fixture
def unit_and_staff(app, database_url, make_unit, make_campaign, make_user):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's query plans")
    unit = make_unit()
    make_campaign([unit])
    return unit, make_user(units=[unit])[0]


def test_the_burst_counts_search_indexes(unit_and_staff):
    unit, _ = unit_and_staff
    survey = survey_at_counter(unit.counters[0], today_local(), kiosk=False)
    answers = Submission(answers=dict.fromkeys(RATING_CODES, 4),
                         profile={"respondent_type": "ca_nhan"})
    with statements() as seen:
        submissions.accept(survey, survey.new_key().value, answers, client_address="192.0.2.1")
    [(sql, params)] = counting(seen)
    steps = plan(sql, params)
    searches = [step for step in steps if step.startswith("SEARCH response USING")]
    assert len(searches) == 5, steps  # one per rule, in one statement
    assert not [step for step in steps if step.startswith("SCAN response")], steps


def test_the_menu_count_is_answered_from_an_index(unit_and_staff):
    _, staff = unit_and_staff
    with statements() as seen:
        waiting_count(staff)
    [(sql, params)] = counting(seen)
    steps = plan(sql, params)
    assert any("COVERING INDEX ix_response_campaign_status_unit" in step for step in steps)
    assert not [step for step in steps if step.startswith("SCAN response")], steps
