"""Changing the unit tree: create, edit, move, merge. Plain functions, no HTTP.

Each function flushes and never commits: the caller (a console view, the
importer) commits once, so a whole import or a move with its audit event is
one transaction.

Moving rewrites `path` and `depth` of the unit and its whole subtree in one
UPDATE (a prefix swap), so a district with a thousand communes moves in one
statement. Merging (the 2025 reorganisation) never rewrites history: the
merged unit keeps its id, its entrants and their attempts; it is marked
`merged_into_id` and `effective_unit_ids` lets reports count it under the
unit that absorbed it.

Caches: this process's tree cache is invalidated at once; after the commit
a counter in Redis (`TREE_VERSION_KEY`) is bumped so other processes can
notice. Until they read it, other processes' caches expire by their own TTL
(`quiz.units.tree.CACHE_SECONDS`, 60 s), so a change shows everywhere within
a minute at worst.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import redis
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, event, func, literal, select, update

from quiz.extensions import db, get_redis
from quiz.models import Unit
from quiz.scoring import keys
from quiz.text import fold, squash
from quiz.units.tree import clear_unit_tree

log = logging.getLogger(__name__)

TREE_VERSION_KEY = keys.UNITS_TREE_VERSION
MAX_CODE = 40
MAX_NAME = 200
MAX_KIND = 40
MAX_PATH = 400
MAX_POPULATION = 2_000_000_000  # the column is a 32-bit integer
_PENDING = "quiz.units.changed"
CHUNK = 500  # codes per IN (...) query, well below SQLite's bound-parameter limit


@dataclass(frozen=True)
class NewUnit:
    """One unit for `create_units`."""

    code: str
    name: str
    kind: str = ""
    parent: Unit | None = None
    population: int | None = None


class UnitError(ValueError):
    """A change the tree refuses; `message` is a lazy string for the person who asked."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def create_unit(
    code: str,
    name: str,
    kind: str = "",
    parent: Unit | None = None,
    population: int | None = None,
    sort_order: int = 0,
) -> Unit:
    """Add a unit under `parent` (None: a new top-level unit)."""
    code, name, kind = _clean(code, name, kind, population)
    _check_code_free(code, None)
    _check_live_parent(parent)
    unit = Unit(code=code, name=name, kind=kind, population=population, sort_order=sort_order)
    db.session.add(unit)
    db.session.flush()  # the id is part of the path
    unit.place_under(parent)
    db.session.flush()
    _changed()
    return unit


def create_units(items: list[NewUnit]) -> list[Unit]:
    """Add many units at once (an import): one code check per chunk, two flushes in all.

    Every parent must already have an id, so an import calls this once per
    level of its tree, parents first.
    """
    cleaned = [(_clean(i.code, i.name, i.kind, i.population), i) for i in items]
    codes = [code for (code, _name, _kind), _item in cleaned]
    for start in range(0, len(codes), CHUNK):
        taken = db.session.scalars(
            select(Unit).where(Unit.code.in_(codes[start : start + CHUNK]))
        ).first()
        if taken is not None:
            raise UnitError(
                _l("Code %(code)s is already used by %(name)s.", code=taken.code, name=taken.name)
            )
    for item in items:
        _check_live_parent(item.parent)
    units = [
        Unit(code=code, name=name, kind=kind, population=item.population)
        for (code, name, kind), item in cleaned
    ]
    db.session.add_all(units)
    db.session.flush()  # ids first: they are part of the paths
    for unit, item in zip(units, items, strict=True):
        unit.place_under(item.parent)
    db.session.flush()
    _changed()
    return units


def update_unit(
    unit: Unit,
    code: str,
    name: str,
    kind: str = "",
    population: int | None = None,
    flush: bool = True,
) -> Unit:
    """Change a unit's own fields; its place in the tree changes only by `move_unit`.

    An import updating thousands of units passes flush=False and flushes once.
    """
    code, name, kind = _clean(code, name, kind, population)
    if code != unit.code:
        _check_code_free(code, unit.id)
    unit.code, unit.name, unit.kind, unit.population = code, name, kind, population
    if flush:
        db.session.flush()
    _changed()
    return unit


def move_unit(unit: Unit, new_parent: Unit | None) -> int:
    """Put a unit (and everything below it) under `new_parent`; returns the rows rewritten."""
    new_parent_id = new_parent.id if new_parent is not None else None
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise UnitError(_l("A unit cannot be placed under itself or under a unit below it."))
    _check_live_parent(new_parent)
    if new_parent_id == unit.parent_id:
        return 0
    db.session.flush()
    old_path = unit.path
    new_path = f"{new_parent.path if new_parent else '/'}{unit.id}/"
    depth_change = (new_parent.depth + 1 if new_parent else 0) - unit.depth
    longest = db.session.scalar(
        select(func.max(func.length(Unit.path))).where(Unit.path.startswith(old_path))
    )
    if (longest or 0) - len(old_path) + len(new_path) > MAX_PATH:
        raise UnitError(_l("The tree would become too deep there; choose a higher unit."))
    moved = db.session.execute(
        update(Unit)
        .where(Unit.path.startswith(old_path))
        .values(
            path=literal(new_path, String).concat(func.substr(Unit.path, len(old_path) + 1)),
            depth=Unit.depth + depth_change,
        )
        .execution_options(synchronize_session="fetch")
    ).rowcount
    unit.parent = new_parent
    unit.parent_id = new_parent_id
    db.session.flush()
    _changed()
    return moved


def merge_unit(source: Unit, target: Unit) -> int:
    """Merge `source` into `target`; returns how many child units moved to `target`.

    The source stays in the tree (its id still owns past entrants and
    attempts) but is marked merged: pickers hide it and reports count it
    under the target. Its child units move under the target, so the live
    tree has no branches hanging from a unit that no longer exists.
    """
    if source.id == target.id or target.path.startswith(source.path):
        raise UnitError(_l("A unit cannot be merged into itself or into a unit below it."))
    if source.merged_into_id is not None:
        raise UnitError(_l("%(name)s has already been merged into another unit.", name=source.name))
    _check_live_parent(target)
    children = db.session.scalars(select(Unit).where(Unit.parent_id == source.id)).all()
    for child in children:
        move_unit(child, target)
    source.merged_into_id = target.id
    db.session.flush()
    _changed()
    return len(children)


def effective_unit_ids(unit_id: int) -> list[int]:
    """The unit and every unit merged into it, directly or through a chain of merges.

    Past entrants keep the id of the unit they registered with; a report on
    the unit that absorbed theirs counts them through this list.
    """
    found = [unit_id]
    seen = {unit_id}
    frontier = [unit_id]
    while frontier:
        merged = db.session.scalars(select(Unit.id).where(Unit.merged_into_id.in_(frontier)))
        frontier = [i for i in merged if i not in seen]
        seen.update(frontier)
        found.extend(frontier)
    return found


def tree_order(units: list[Unit]) -> list[Unit]:
    """Depth first, siblings by (sort order, name without diacritics), as the tree cache.

    Units whose parent is not in the list are roots, so a subtree orders too.
    """
    ids = {u.id for u in units}
    children: dict[int | None, list[Unit]] = {}
    for u in units:
        children.setdefault(u.parent_id if u.parent_id in ids else None, []).append(u)
    for kids in children.values():
        kids.sort(key=lambda u: (u.sort_order, fold(u.name), u.code))
    ordered: list[Unit] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        unit = stack.pop()
        ordered.append(unit)
        stack.extend(reversed(children.get(unit.id, [])))
    return ordered


def tree_version() -> int:
    """The cross-process change counter (0 if never bumped)."""
    value = get_redis().get(TREE_VERSION_KEY)
    return int(value) if value else 0


def _clean(code: str, name: str, kind: str, population: int | None) -> tuple[str, str, str]:
    code, name, kind = squash(code or ""), squash(name or ""), squash(kind or "")
    if not code:
        raise UnitError(_l("The unit code is missing."))
    if not name:
        raise UnitError(_l("The unit name is missing."))
    for value, limit in ((code, MAX_CODE), (name, MAX_NAME), (kind, MAX_KIND)):
        if len(value) > limit:
            raise UnitError(
                _l("Too long: %(n)s characters, at most %(limit)s.", n=len(value), limit=limit)
            )
    if population is not None and not 0 <= population <= MAX_POPULATION:
        raise UnitError(_l("The population or membership must be a whole number of 0 or more."))
    return code, name, kind


def _check_code_free(code: str, own_id: int | None) -> None:
    other = db.session.scalar(select(Unit).where(Unit.code == code, Unit.id != own_id))
    if other is not None:
        raise UnitError(
            _l("Code %(code)s is already used by %(name)s.", code=code, name=other.name)
        )


def _check_live_parent(parent: Unit | None) -> None:
    if parent is not None and parent.merged_into_id is not None:
        raise UnitError(
            _l(
                "%(name)s has been merged into another unit; choose the unit it was merged into.",
                name=parent.name,
            )
        )


def _changed() -> None:
    """Drop this process's cached tree now; tell the others once the change is committed."""
    clear_unit_tree()
    session = db.session()
    if not session.info.get(_PENDING):
        session.info[_PENDING] = True
        event.listen(session, "after_commit", _after_commit, once=True)


def _after_commit(session) -> None:
    session.info.pop(_PENDING, None)
    clear_unit_tree()  # a read between flush and commit may have cached the old tree
    try:
        get_redis().incr(TREE_VERSION_KEY)
    except redis.RedisError as exc:  # the other processes still refresh by their TTL
        log.warning("could not announce a unit tree change: %s", exc)
