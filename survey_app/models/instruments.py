"""Published instrument versions: the exact questionnaire a response was given."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..errors import ImmutableVersionError
from ..extensions import db
from ..orm import utcnow


class InstrumentVersion(db.Model):
    """A questionnaire definition (resolved YAML as JSON); immutable once published."""

    __tablename__ = "instrument_version"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    definition: Mapped[dict[str, Any]]
    #: SHA-256 of the canonical JSON of ``definition``.
    digest: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def label(self) -> str:
        return f"{self.code} v{self.version}"


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_published(session: Session, flush_context: Any, instances: Any) -> None:
    """A published version is frozen: responses refer to its exact wording."""
    for obj in list(session.dirty) + list(session.deleted):
        if not isinstance(obj, InstrumentVersion):
            continue
        state = inspect(obj)
        history = state.attrs.published_at.history
        stored = (history.deleted or history.unchanged or [None])[0]
        if stored is None:
            continue
        if obj in session.deleted or any(attr.history.has_changes() for attr in state.attrs):
            raise ImmutableVersionError(obj.label)
