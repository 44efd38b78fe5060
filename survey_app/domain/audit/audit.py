"""Writing the audit log; the event joins the caller's transaction."""

from __future__ import annotations

from typing import Any

from ...extensions import db
from ...models import AuditEvent, User


def record(action: str, *, user: User | None, object_type: str | None = None,
           object_id: Any = None, before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None, note: str | None = None,
           system: bool = False) -> AuditEvent:
    """Add an audit event for ``action`` done by ``user``, in the caller's transaction.

    The acting user is always named by the caller — never guessed from whoever is signed
    in. ``user=None`` is for what nobody signed in did: the application itself
    (``system=True``: a burst flagged on arrival, the command line) or an anonymous visitor
    (a refused login).
    """
    event = AuditEvent(action=action, object_type=object_type,
                       object_id=None if object_id is None else str(object_id),
                       before=before, after=after, note=note,
                       user_id=user.id if user is not None else None)
    db.session.add(event)
    return event
