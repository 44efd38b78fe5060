"""The scanned pages waiting for a person: counted for the menu on every staff page, so this
module imports nothing of the reading engine (OpenCV, NumPy, PDFium)."""

from __future__ import annotations

from sqlalchemy import func, select

from ...auth import scope_to_units
from ...extensions import db
from ...models import ScanPage, ScanState, User

#: A page in these states waits for a person (uncertain marks, or a comment to type).
WAITING_STATES = (ScanState.REVIEW, ScanState.COMMENT)


def waiting_count(user: User) -> int:
    """Scanned pages in the user's units that wait for a person (the menu's count)."""
    query = select(func.count(ScanPage.id)).where(ScanPage.state.in_(WAITING_STATES))
    return db.session.scalar(scope_to_units(query, ScanPage.unit_id, user)) or 0
