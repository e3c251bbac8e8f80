"""Applying a clean read of the unit tree: all or nothing, parents before children."""

from __future__ import annotations

from sqlalchemy import select

from quiz.extensions import db
from quiz.models import Unit
from quiz.units.operations import (
    NewUnit,
    create_units,
    move_unit,
    update_unit,
)
from quiz.units.spec import (
    UnitImportSummary,
    UnitRow,
)

# --- applying ---------------------------------------------------------------------------


def _levels(rows: list[UnitRow]) -> list[list[UnitRow]]:
    """Rows grouped by their depth within the file: parents' level before children's."""
    in_file = {r.code: r for r in rows}
    levels: dict[int, list[UnitRow]] = {}
    for row in rows:
        depth, code = 0, row.parent_code
        while code in in_file and depth <= len(in_file):
            depth, code = depth + 1, in_file[code].parent_code
        levels.setdefault(depth, []).append(row)
    return [levels[depth] for depth in sorted(levels)]


def apply_units(rows: list[UnitRow]) -> UnitImportSummary:
    """Write a clean read: new units created, existing ones (by code) updated or moved.

    Level by level, parents before children: new units of a level are
    created together, changed ones updated, moved ones moved with their
    subtrees. The caller commits, or rolls back on UnitError (the database
    changed since the file was checked).
    """
    by_code = {u.code: u for u in db.session.scalars(select(Unit))}
    counts = {"created": 0, "updated": 0, "moved": 0, "unchanged": 0}
    for level in _levels(rows):
        new = [r for r in level if r.code not in by_code]
        items = [
            NewUnit(r.code, r.name, r.kind, by_code.get(r.parent_code), r.population) for r in new
        ]
        for unit in create_units(items) if items else []:
            by_code[unit.code] = unit
        counts["created"] += len(new)
        new_codes = {r.code for r in new}
        for row in level:
            if row.code not in new_codes:
                _apply_existing(row, by_code, counts)
        db.session.flush()
    return UnitImportSummary(**counts)


def _apply_existing(row: UnitRow, by_code: dict[str, Unit], counts: dict[str, int]) -> None:
    unit = by_code[row.code]
    parent = by_code[row.parent_code] if row.parent_code else None
    changed = (unit.name, unit.kind, unit.population) != (row.name, row.kind, row.population)
    if changed:
        update_unit(unit, unit.code, row.name, row.kind, row.population, flush=False)
    moves = unit.parent_id != (parent.id if parent else None)
    if moves:
        move_unit(unit, parent)
        counts["moved"] += 1
    counts["updated" if changed or moves else "unchanged"] += 1
