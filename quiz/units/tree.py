"""Reading the unit tree: ordered listings, full path names, subtrees.

The tree changes rarely and is read on every registration page, so a
flattened copy is cached per process for a minute.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import select

from quiz.caches import cache_of
from quiz.extensions import db
from quiz.models import Unit
from quiz.text import fold

CACHE_SECONDS = 60
# How often a process asks Redis whether another process changed the tree.
CHECK_SECONDS = 3


def _current_version() -> int:
    from quiz.units.operations import tree_version

    try:
        return tree_version()
    except Exception:  # noqa: BLE001 - without Redis, the minute-long cache still expires
        return -1


def _changed_elsewhere(version: int) -> bool:
    current = _current_version()
    return current != -1 and current != version


@dataclass(frozen=True, slots=True)
class UnitNode:
    id: int
    code: str
    name: str
    kind: str
    depth: int
    path: str
    parent_id: int | None
    merged: bool
    # "Xã A, Huyện B, Tỉnh C": what an exported row or a picker shows.
    full_name: str
    search_text: str


def _load() -> list[UnitNode]:
    units = db.session.scalars(select(Unit)).all()
    by_id = {u.id: u for u in units}
    children: dict[int | None, list[Unit]] = {}
    for u in units:
        children.setdefault(u.parent_id, []).append(u)
    for kids in children.values():
        kids.sort(key=lambda u: (u.sort_order, fold(u.name)))

    def full_name(u: Unit) -> str:
        names = []
        node: Unit | None = u
        while node is not None:
            names.append(node.name)
            node = by_id.get(node.parent_id) if node.parent_id else None
        return ", ".join(names)

    ordered: list[UnitNode] = []

    def walk(parent_id: int | None) -> None:
        for u in children.get(parent_id, []):
            name = full_name(u)
            ordered.append(
                UnitNode(
                    u.id,
                    u.code,
                    u.name,
                    u.kind,
                    u.depth,
                    u.path,
                    u.parent_id,
                    u.merged_into_id is not None,
                    name,
                    fold(name),
                )
            )
            walk(u.id)

    walk(None)
    return ordered


class UnitTree:
    def __init__(self) -> None:
        self._expires = 0.0
        self._checked = 0.0
        self._version = -1
        self._nodes: list[UnitNode] = []
        self._by_id: dict[int, UnitNode] = {}

    def nodes(self) -> list[UnitNode]:
        now = time.monotonic()
        if now > self._checked + CHECK_SECONDS and now <= self._expires:
            # Another process changed the tree (the counter in Redis moved): reload.
            self._checked = now
            if _changed_elsewhere(self._version):
                self._expires = 0.0
        if now > self._expires:
            self._version = _current_version()
            self._nodes = _load()
            self._by_id = {n.id: n for n in self._nodes}
            self._expires = self._checked = time.monotonic()
            self._expires += CACHE_SECONDS
        return self._nodes

    def get(self, unit_id: int | None) -> UnitNode | None:
        self.nodes()
        return self._by_id.get(unit_id) if unit_id is not None else None

    def subtree(self, root_id: int | None) -> list[UnitNode]:
        """The root and everything below it, in tree order (all units if no root)."""
        nodes = self.nodes()
        root = self.get(root_id)
        if root is None:
            return nodes
        return [n for n in nodes if n.path.startswith(root.path)]

    def clear(self) -> None:
        self._expires = 0.0
        self._nodes, self._by_id = [], {}

    def __len__(self) -> int:
        return len(self._nodes)


def unit_tree() -> UnitTree:
    return cache_of(UnitTree)


def clear_unit_tree() -> None:
    """After an edit: this process reloads at once; others see the version
    counter move within CHECK_SECONDS."""
    unit_tree().clear()
