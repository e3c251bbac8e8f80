"""Audit action names: one style (snake_case), each shown by its label in the log."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from flask_migrate import stamp, upgrade

from quiz.console.audit_log import ACTIONS
from quiz.extensions import db
from quiz.models import AuditEvent
from tests.conftest import ROOT

QUIZ = Path(__file__).resolve().parents[2] / "quiz"
SNAKE = re.compile(r"^[a-z]+(_[a-z]+)+$|^[a-z]+$")


def recorded_actions() -> dict[str, str]:
    """Every action name given to `record(...)` in quiz/, with where it is.

    A name is a literal (or a choice of literals) or an entry of a module-level
    `*_EVENTS` table; any other first argument is reported as unreadable.
    """
    found = {}
    for path in QUIZ.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        tables = {
            node.targets[0].id: node.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id.endswith("_EVENTS")
            and isinstance(node.value, ast.Dict)
        }
        for node in ast.walk(tree):
            name = getattr(getattr(node, "func", None), "id", None)
            if not isinstance(node, ast.Call) or name != "record" or not node.args:
                continue
            where = f"{path.relative_to(QUIZ)}:{node.lineno}"
            first = node.args[0]
            if isinstance(first, ast.Subscript) and getattr(first.value, "id", "") in tables:
                names = [v.value for v in tables[first.value.id].values]
            elif isinstance(first, ast.Name):
                names = _assigned(tree, node, first.id)
            else:
                names = [p.value for p in ast.walk(first) if isinstance(p, ast.Constant)]
            for action in names or [f"<unreadable: {ast.unparse(first)}>"]:
                found[action] = where
    return found


def _assigned(tree: ast.Module, call: ast.Call, variable: str) -> list[str]:
    """The literals assigned to a local variable in the function holding the call."""
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef) and call in ast.walk(function):
            return [
                part.value
                for node in ast.walk(function)
                if isinstance(node, ast.Assign)
                and any(getattr(t, "id", None) == variable for t in node.targets)
                for part in ast.walk(node.value)
                if isinstance(part, ast.Constant) and isinstance(part.value, str)
            ]
    return []


def test_every_recorded_action_is_snake_case_and_has_a_label():
    recorded = recorded_actions()
    assert len(recorded) >= 15
    assert [f"{a} ({w})" for a, w in recorded.items() if not SNAKE.match(a)] == []
    assert [f"{a} ({w})" for a, w in recorded.items() if a not in ACTIONS] == []
    assert set(ACTIONS) == set(recorded), set(ACTIONS) - set(recorded)  # no stale labels


def test_the_log_shows_labels_in_vietnamese_and_filters_by_action(app, as_staff, world):
    with app.app_context():
        db.session.add_all(
            [
                AuditEvent(action="unit_moved", target="D1-C1", details={}),
                AuditEvent(action="winners_published", target="round 1", details={}),
                AuditEvent(action="something_older", target="x", details={}),
            ]
        )
        db.session.commit()
    admin = as_staff("admin")
    page = admin.get("/console/audit").text
    assert "Chuyển đơn vị" in page and "Công bố danh sách đoạt giải" in page
    assert "something_older" in page  # a name without a label is shown as it is
    assert ">unit_moved<" not in page
    only = admin.get("/console/audit?action=unit_moved").text
    assert "D1-C1" in only and "round 1" not in only


def test_the_migration_renames_the_dotted_names_of_older_rows(app):
    old = ["unit.create", "unit.update", "unit.move", "unit.merge", "units.import", "round_close"]
    old += ["bank_imported"]
    with app.app_context():
        db.session.add_all([AuditEvent(action=name, target="", details={}) for name in old])
        db.session.commit()
        migrations = str(ROOT / "migrations")
        stamp(directory=migrations, revision="a1c3e5f7b9d2")  # as before the rename
        upgrade(directory=migrations)
        names = db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert names == [
        "unit_created", "unit_changed", "unit_moved", "unit_merged", "units_imported",
        "round_closed", "bank_imported",
    ]  # fmt: skip
    assert all(name in ACTIONS for name in names)
