"""Changing the unit tree: create, edit, move (whole subtrees), merge (history kept)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quiz.extensions import db, get_redis
from quiz.models import Entrant, Unit
from quiz.units import operations
from quiz.units.operations import (
    TREE_VERSION_KEY,
    NewUnit,
    UnitError,
    create_unit,
    create_units,
    effective_unit_ids,
    merge_unit,
    move_unit,
    tree_order,
    tree_version,
    update_unit,
)
from quiz.units.tree import unit_tree
from tests.factories import make_entrant, make_units
from tests.units import english


def fresh() -> dict[str, tuple[int | None, str, int]]:
    """code → (parent id, path, depth), read from the database, not the session."""
    db.session.expire_all()
    rows = db.session.execute(select(Unit.code, Unit.parent_id, Unit.path, Unit.depth))
    return {code: (parent, path, depth) for code, parent, path, depth in rows}


def refusal(app, call) -> str:
    with english(app), pytest.raises(UnitError) as refused:
        call()
    return str(refused.value.message)


def test_a_new_unit_is_placed_under_its_parent(ctx):
    units = make_units()
    unit = create_unit(" D1-C3 ", "Xã  Mới", "Xã", units["D1"], 1200)
    db.session.commit()
    assert (unit.code, unit.name, unit.population) == ("D1-C3", "Xã Mới", 1200)
    assert unit.path == f"{units['D1'].path}{unit.id}/" and unit.depth == 2
    top = create_unit("TOP", "Tỉnh khác")
    db.session.commit()
    assert (top.parent_id, top.path, top.depth) == (None, f"/{top.id}/", 0)


def test_codes_are_unique_and_fields_are_checked(ctx):
    units = make_units()
    message = refusal(ctx, lambda: create_unit("D2", "Trùng mã", "", units["P"]))
    assert "D2" in message and "already used" in message
    assert "missing" in refusal(ctx, lambda: create_unit("X", "  "))
    assert "Too long" in refusal(ctx, lambda: create_unit("X" * 41, "Tên"))
    assert "0 or more" in refusal(ctx, lambda: create_unit("X", "Tên", population=-1))
    # Renaming a unit to its own code is fine; to another unit's code is not.
    update_unit(units["D1"], "D1", "Huyện Một", "Huyện", 5000)
    assert "already used" in refusal(ctx, lambda: update_unit(units["D1"], "D2", "Huyện Một"))
    db.session.rollback()
    assert db.session.scalar(select(Unit.code).where(Unit.id == units["D1"].id)) == "D1"


def test_many_units_are_created_together_for_an_import(ctx):
    units = make_units()
    made = create_units(
        [NewUnit("D1-C3", "Xã D1-3", "Xã", units["D1"], 10), NewUnit("T2", "Tỉnh Hai")]
    )
    db.session.commit()
    assert [(u.path, u.depth) for u in made] == [
        (f"{units['D1'].path}{made[0].id}/", 2),
        (f"/{made[1].id}/", 0),
    ]
    taken = [NewUnit("NEW", "Mới"), NewUnit("D2-C2", "Trùng")]
    assert "Code D2-C2 is already used" in refusal(ctx, lambda: create_units(taken))
    db.session.rollback()
    assert db.session.scalar(select(Unit).where(Unit.code == "NEW")) is None


def test_moving_a_unit_rewrites_the_paths_of_its_whole_subtree(ctx):
    units = make_units()
    ids = {code: u.id for code, u in units.items()}
    before = fresh()
    moved = move_unit(units["D1"], units["AG"])
    db.session.commit()
    assert moved == 3  # D1 and its two communes, in one statement
    after = fresh()
    d1_path = f"/{ids['P']}/{ids['AG']}/{ids['D1']}/"
    assert after["D1"] == (ids["AG"], d1_path, 2)
    assert after["D1-C1"] == (ids["D1"], f"{d1_path}{ids['D1-C1']}/", 3)
    assert after["D1-C2"] == (ids["D1"], f"{d1_path}{ids['D1-C2']}/", 3)
    for untouched in ("P", "D2", "D2-C1", "D2-C2", "AG"):
        assert after[untouched] == before[untouched]


def test_objects_already_in_the_session_see_their_new_paths(ctx):
    units = make_units()
    commune = units["D1-C1"]
    assert commune.depth == 2
    move_unit(units["D1"], None)
    assert commune.path == f"/{units['D1'].id}/{commune.id}/"
    assert commune.depth == 1
    assert units["D1"].parent is None and units["D1"].depth == 0


def test_a_unit_cannot_move_under_itself_or_below_itself(ctx):
    units = make_units()
    before = fresh()
    for target in ("D1", "D1-C1"):
        message = refusal(ctx, lambda target=target: move_unit(units["D1"], units[target]))
        assert "under itself or under a unit below it" in message
    assert "below it" in refusal(ctx, lambda: move_unit(units["P"], units["D2-C2"]))
    db.session.rollback()
    assert fresh() == before
    assert move_unit(units["D1"], units["P"]) == 0  # already there: nothing to do


def test_a_move_that_would_make_paths_too_long_is_refused(ctx, monkeypatch):
    units = make_units()
    monkeypatch.setattr(operations, "MAX_PATH", len(units["D2-C1"].path) + 1)
    assert "too deep" in refusal(ctx, lambda: move_unit(units["D1"], units["D2-C1"]))


def test_merging_keeps_past_entrants_attached_to_the_merged_unit(ctx):
    units = make_units()
    old = make_entrant(1, units["D1-C1"])
    children = merge_unit(units["D1-C1"], units["D1-C2"])
    db.session.commit()
    assert children == 0
    db.session.expire_all()
    assert db.session.get(Entrant, old.id).unit_id == units["D1-C1"].id
    merged = db.session.get(Unit, units["D1-C1"].id)
    assert merged.merged_into_id == units["D1-C2"].id
    assert merged.parent_id == units["D1"].id  # it stays where it was
    assert sorted(effective_unit_ids(units["D1-C2"].id)) == sorted(
        [units["D1-C2"].id, units["D1-C1"].id]
    )
    assert effective_unit_ids(units["D2-C1"].id) == [units["D2-C1"].id]
    # New entrants can no longer pick it.
    assert units["D1-C1"].id not in {n.id for n in unit_tree().nodes() if not n.merged}


def test_merges_chain_and_children_follow_the_target(ctx):
    units = make_units()
    ids = {code: u.id for code, u in units.items()}
    assert merge_unit(units["D1"], units["D2"]) == 2  # its communes move under D2
    db.session.commit()
    after = fresh()
    assert after["D1-C1"] == (ids["D2"], f"/{ids['P']}/{ids['D2']}/{ids['D1-C1']}/", 2)
    d2_children = db.session.scalars(select(Unit.code).where(Unit.parent_id == ids["D2"])).all()
    assert sorted(d2_children) == ["D1-C1", "D1-C2", "D2-C1", "D2-C2"]
    assert merge_unit(units["D2"], units["P"]) == 4  # a district level abolished
    db.session.commit()
    assert sorted(effective_unit_ids(ids["P"])) == sorted([ids["P"], ids["D2"], ids["D1"]])
    assert fresh()["D1-C1"] == (ids["P"], f"/{ids['P']}/{ids['D1-C1']}/", 1)


def test_merges_that_make_no_sense_are_refused(ctx):
    units = make_units()
    assert "itself" in refusal(ctx, lambda: merge_unit(units["D1"], units["D1"]))
    assert "below it" in refusal(ctx, lambda: merge_unit(units["D1"], units["D1-C2"]))
    merge_unit(units["D1-C1"], units["D1-C2"])
    db.session.commit()
    assert "already been merged" in refusal(ctx, lambda: merge_unit(units["D1-C1"], units["D2"]))
    message = refusal(ctx, lambda: merge_unit(units["D2-C1"], units["D1-C1"]))
    assert "merged into another unit" in message
    # A merged unit takes no new children either.
    assert "merged into" in refusal(ctx, lambda: create_unit("N", "Mới", "", units["D1-C1"]))
    assert "merged into" in refusal(ctx, lambda: move_unit(units["D2-C1"], units["D1-C1"]))


def test_changes_refresh_the_tree_cache_and_bump_the_shared_version(ctx):
    units = make_units()
    assert "NEW" not in {n.code for n in unit_tree().nodes()}
    version = tree_version()
    create_unit("NEW", "Đơn vị mới", "", units["P"])
    move_unit(units["D1"], units["AG"])
    assert "NEW" in {n.code for n in unit_tree().nodes()}  # this process: at once
    assert tree_version() == version  # others: not before the commit
    db.session.commit()
    assert tree_version() == version + 1  # one bump per transaction
    assert int(get_redis().get(TREE_VERSION_KEY)) == version + 1
    assert unit_tree().get(units["D1"].id).depth == 2


def test_tree_order_is_depth_first_by_sort_order_then_name(ctx):
    make_units()
    ordered = tree_order(list(db.session.scalars(select(Unit))))
    assert [u.code for u in ordered] == ["P", "AG", "D1", "D1-C1", "D1-C2", "D2", "D2-C1", "D2-C2"]
    district = [u for u in ordered if u.path.startswith(ordered[2].path)]
    assert [u.code for u in tree_order(district)] == ["D1", "D1-C1", "D1-C2"]
