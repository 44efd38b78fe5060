"""Moments of the ``since=`` / ``as_of`` protocol of the list endpoints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ..models import utcnow

#: ``as_of`` is this much before the query ran: a write that began before the query but
#: committed after it is then still fetched next time (at the cost of a few repeats).
OVERLAP = timedelta(minutes=2)
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)


def since_utc(value: datetime | None) -> datetime | None:
    """``since`` in UTC; a moment at the calendar's very start is just "since ever"."""
    if value is None:
        return None
    try:
        return max(value.astimezone(UTC), EARLIEST)
    except OverflowError:  # 0001-01-01T00:00+01:00 has no UTC moment
        return EARLIEST


def as_of() -> datetime:
    """What the client passes as ``since`` next time."""
    return (utcnow() - OVERLAP).replace(microsecond=0)
