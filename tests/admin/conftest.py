"""Fixtures of the administration tests: a logged-in admin and audit read-back."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent, Role, User


@pytest.fixture
def admin(make_user, login_as) -> User:
    """An admin account, logged in on the test client."""
    user, _ = make_user("quantri", Role.ADMIN)
    login_as(user)
    return user


@pytest.fixture
def audit_actions():
    """The audit log's actions, oldest first, read back from the database."""
    def read() -> list[str]:
        db.session.rollback()  # end the read snapshot: see what the requests wrote
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    return read
