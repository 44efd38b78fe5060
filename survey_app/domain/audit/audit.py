"""Writing the audit log; the event joins the caller's transaction."""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_login import current_user

from ...extensions import db
from ...models import AuditEvent, User


def record(action: str, *, object_type: str | None = None, object_id: Any = None,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           note: str | None = None, user: User | None = None, system: bool = False
           ) -> AuditEvent:
    """Add an audit event for ``action`` by ``user`` (default: the logged-in user).

    ``system``: done by the application itself (a burst flagged on arrival), never credited
    to whoever happens to be signed in in that browser.
    """
    if user is None and not system and has_request_context() and current_user.is_authenticated:
        user = current_user
    event = AuditEvent(action=action, object_type=object_type,
                       object_id=None if object_id is None else str(object_id),
                       before=before, after=after, note=note,
                       user_id=user.id if user is not None else None)
    db.session.add(event)
    return event
