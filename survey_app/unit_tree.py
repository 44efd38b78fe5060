"""The unit tree read in SQL: a unit's subtree (itself and every unit below it) in one
recursive query, a unit's path from the top, the tree order of a list (docs/units.md).

The tree is shallow (province → commune → division, at most four or five levels) and holds a
few thousand units at most; a recursive CTE over ``unit.parent_id`` (indexed) is one indexed
walk per level on SQLite and PostgreSQL alike, and nothing has to be kept in step when a unit
moves.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, select

from .extensions import db
from .models import Unit


def subtree_query(root_ids: Iterable[int]) -> Select:
    """SELECT of the ids of ``root_ids`` and of every unit below them."""
    roots = list(root_ids)
    tree = select(Unit.id).where(Unit.id.in_(roots)).cte("subtree", recursive=True)
    below = select(Unit.id).join(tree, Unit.parent_id == tree.c.id)
    tree = tree.union(below)
    return select(tree.c.id)


def subtree_ids(root_ids: Iterable[int]) -> set[int]:
    """Ids of ``root_ids`` and of every unit below them."""
    roots = list(root_ids)
    if not roots:
        return set()
    return set(db.session.scalars(subtree_query(roots)))


def path_of(unit: Unit) -> list[Unit]:
    """The units from the top of the tree down to ``unit`` (included), for a breadcrumb."""
    chain = [unit]
    seen = {unit.id}
    while chain[-1].parent is not None and chain[-1].parent.id not in seen:
        seen.add(chain[-1].parent.id)
        chain.append(chain[-1].parent)
    return list(reversed(chain))


def tree_order(units: Iterable[Unit]) -> list[tuple[Unit, int]]:
    """``units`` in tree order (each under its parent, by kind then name) with their depth
    among them; a unit whose parent is not among them starts at depth 0."""
    units = list(units)
    present = {unit.id for unit in units}
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        key = unit.parent_id if unit.parent_id in present else None
        children.setdefault(key, []).append(unit)
    for siblings in children.values():
        siblings.sort(key=lambda u: (list(type(u.kind)).index(u.kind), u.name, u.code))
    ordered: list[tuple[Unit, int]] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for unit in children.get(parent, []):
            if unit.id in seen:
                continue
            seen.add(unit.id)
            ordered.append((unit, depth))
            walk(unit.id, depth + 1)

    walk(None, 0)
    ordered += [(unit, 0) for unit in units if unit.id not in seen]  # a cycle, defensively
    return ordered
