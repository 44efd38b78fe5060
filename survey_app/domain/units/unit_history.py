"""A unit's history: the days it existed as such and the "became" links (docs/unit-history.md).

``UnitSuccession`` links a predecessor to the unit it became (part of) from a date: several
predecessors of one unit are a merger, several successors of one unit a split; a unit whose
``valid_to`` is set and that became nothing was dissolved. Results follow the links when
they compare a unit with the previous campaign (``domain/results/lineage.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ...errors import DomainError
from ...extensions import db
from ...models import Unit, UnitSuccession, User
from ...support.formatting import date_text
from ..audit import audit


@dataclass(frozen=True)
class Predecessor:
    """A unit the unit came from, and the day it became it (None: not known)."""

    unit: Unit
    effective_on: date | None = None


def history_snapshot(unit: Unit) -> dict:
    """Validity and predecessors as the audit log keeps them."""
    return {"valid_from": date_text(unit.valid_from) if unit.valid_from else None,
            "valid_to": date_text(unit.valid_to) if unit.valid_to else None,
            "predecessors": [link.predecessor.code + (f" ({date_text(link.effective_on)})"
                                                      if link.effective_on else "")
                             for link in unit.predecessor_links]}


def reaches(successors: Mapping[str, Iterable[str]], start: str, goal: str) -> bool:
    """Whether ``goal`` is ``start`` or one of the units it (transitively) became."""
    seen, stack = set(), [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(successors.get(node, ()))
    return False


def stored_successors() -> dict[str, set[str]]:
    """Every stored link by code: predecessor → the units it became."""
    before, after = aliased(Unit), aliased(Unit)
    rows = db.session.execute(
        select(before.code, after.code)
        .join(UnitSuccession, UnitSuccession.predecessor_id == before.id)
        .join(after, UnitSuccession.successor_id == after.id)).all()
    found: dict[str, set[str]] = {}
    for predecessor, successor in rows:
        found.setdefault(predecessor, set()).add(successor)
    return found


def record_history(unit: Unit, *, valid_from: date | None = None, valid_to: date | None = None,
                   predecessors: Sequence[Predecessor] = (), actor: User | None
                   ) -> tuple[bool, int]:
    """Set the dates given (None leaves a date as it is), add the missing links to the
    predecessors (or correct their date); audited when anything changed (caller commits).
    Returns whether anything changed and the number of links added."""
    start = valid_from or unit.valid_from
    end = valid_to or unit.valid_to
    if start is not None and end is not None and end < start:
        raise DomainError(f"Ngày hết hiệu lực ({date_text(end)}) của “{unit.name}” trước ngày "
                          f"bắt đầu ({date_text(start)}).")
    links = stored_successors()
    for predecessor in predecessors:
        if predecessor.unit.id == unit.id:
            raise DomainError(f"“{unit.name}” không thể là đơn vị tiền thân của chính nó.")
        if reaches(links, unit.code, predecessor.unit.code):
            raise DomainError(f"“{predecessor.unit.name}” là đơn vị kế tục của “{unit.name}”, "
                              "không thể đồng thời là đơn vị tiền thân (vòng lặp).")
    before = history_snapshot(unit)
    unit.valid_from, unit.valid_to = start, end
    existing = {link.predecessor_id: link for link in unit.predecessor_links}
    added = 0
    for predecessor in predecessors:
        link = existing.get(predecessor.unit.id)
        if link is None:
            link = UnitSuccession(predecessor=predecessor.unit, successor=unit,
                                  effective_on=predecessor.effective_on)
            db.session.add(link)
            existing[predecessor.unit.id] = link
            added += 1
        elif predecessor.effective_on is not None:
            link.effective_on = predecessor.effective_on
    db.session.flush()
    db.session.refresh(unit, ["predecessor_links"])
    after = history_snapshot(unit)
    if after != before:
        audit.record("unit.history", user=actor, object_type="unit", object_id=unit.code,
                     before=before, after=after)
    return after != before, added
