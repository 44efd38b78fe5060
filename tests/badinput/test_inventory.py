"""The suite's claim checked: at least 100 distinct hand-written bad inputs (plus generated)."""

from __future__ import annotations

from tests.badinput import (
    conftest,
    test_import_bad_input,
    test_login_bad_input,
    test_public_bad_input,
    test_staff_bad_input,
)

LISTS = {
    conftest: ["MARKUP", "FORMULAS", "SQL", "UNICODE", "BAD_VALUES"],
    test_public_bad_input: ["UNKNOWN_FIELDS", "ODD_BODIES", "OVERSIZED"],
    test_staff_bad_input: ["BAD_SERIALS", "BAD_UNIT_CODES", "BAD_PARENTS", "BAD_FIELD_CODES",
                           "BAD_COUNTER_NAMES", "BAD_DATES", "BAD_SHARES",
                           "BAD_CAMPAIGN_CODES", "BAD_TARGETS", "BAD_USERNAMES",
                           "BAD_PROFILE", "STAFF_BODIES"],
    test_import_bad_input: ["BAD_CELLS", "OTHER_DIGITS", "BAD_DATES", "BAD_UNIT_CODES",
                            "BAD_FILES", "UNIT_FILES"],
    test_login_bad_input: ["OFFSITE_NEXT", "ODD_USERNAMES", "ODD_PASSWORDS",
                           "BAD_NEW_PASSWORDS"],
}


def distinct_inputs() -> set:
    return {value for module, names in LISTS.items() for name in names
            for value in getattr(module, name)}


def test_the_suite_sends_at_least_100_distinct_bad_inputs():
    assert len(distinct_inputs()) >= 100, len(distinct_inputs())
