"""Fixtures of the administration tests: a logged-in admin and audit read-back."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent


@pytest.fixture
def audit_actions():
    """The audit log's actions, oldest first, read back from the database."""
    def read() -> list[str]:
        db.session.rollback()  # end the read snapshot: see what the requests wrote
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    return read
