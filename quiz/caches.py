"""Per-process caches: built once in `create_app`, reached by type, each with one invalidation.

A web process keeps short-lived snapshots of what every request reads
(rounds, contests, questions, the unit tree, conferences, surveys) so the
hot path does not query the database. Each cache's area owns its class, a
typed accessor (`round_cache()`, `unit_tree()`, ...) and one invalidation
function (`clear_rounds()`, `clear_unit_tree()`, ...); this module only
holds them per app, keyed by class rather than by string, and clears them
all at once (`clear_all`, for tests and organizer changes that touch many).

Per-app helpers that hold no data to go stale (the hot path's engine, the
attempts' Redis state, the leaderboards, the survey store) are kept here
too, by class (`per_app`), built on first use: after tests set their config.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from flask import Flask, current_app

_EXTENSION = "quiz.caches"
_HELPERS = "quiz.per_app"
T = TypeVar("T")


class Cache(Protocol):
    def clear(self) -> None:
        """Forget everything held: the next read goes to the database."""

    def __len__(self) -> int:
        """How many snapshots are held (0 right after `clear`)."""


C = TypeVar("C", bound=Cache)


def install(app: Flask, *caches: Cache) -> None:
    """Called once by `create_app`: one cache of each class."""
    registry: dict[type, Cache] = {}
    for cache in caches:
        if type(cache) in registry:
            raise ValueError(f"two caches of class {type(cache).__name__}")
        registry[type(cache)] = cache
    app.extensions[_EXTENSION] = registry


def cache_of(kind: type[C], app: Flask | None = None) -> C:
    """The app's cache of this class (the current app's when none is given)."""
    return (app or current_app).extensions[_EXTENSION][kind]


def installed(app: Flask | None = None) -> list[Cache]:
    return list((app or current_app).extensions[_EXTENSION].values())


def clear_all(app: Flask | None = None) -> None:
    """Forget every cached snapshot of this process."""
    for cache in installed(app):
        cache.clear()


def per_app(kind: type[T], build: Callable[[Flask], T], app: Flask | None = None) -> T:
    """The app's helper of this class, built by `build(app)` the first time it is asked for."""
    app = app or current_app._get_current_object()
    helpers = app.extensions.setdefault(_HELPERS, {})
    found = helpers.get(kind)
    if found is None:
        found = helpers[kind] = build(app)
    return found
