"""Every id in a console URL goes through the one guard (quiz/console/access.py).

The routes are read from the URL map, so a page added later is checked
without editing this file: each id it takes must be in `SCOPED_ARGS`, and
an organizer of another district must get 403 or 404 for it, never the page.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from werkzeug.routing import IntegerConverter

from quiz.console.access import SCOPED_ARGS
from quiz.extensions import db
from tests.console.conftest import csrf

WORDS = {"fmt": "png", "token": "x"}  # the arguments that are not ids


@pytest.fixture
def app_config(schema, database_url, redis_url, tmp_path):
    from tests.conftest import make_config

    return make_config(database_url, redis_url, CONFERENCE_DOCUMENTS_DIR=str(tmp_path / "docs"))


@pytest.fixture
def d1_ids(app, world) -> dict[str, int]:
    """One object of district D1 for every scoped argument."""
    from quiz.conferences.documents import store
    from quiz.models import Contest, ExportFile, Staff
    from quiz.reports.export_jobs import export_folder
    from tests.conferences.helpers import delegates_of, make_conference
    from tests.surveys.sheets import make_survey

    with app.app_context():
        conference = make_conference(world.units["D1"])
        document = store(conference.id, "Tài liệu thử", "tl.pdf", b"%PDF-1.4 thu", None)
        (export_folder() / "route-scope.xlsx").write_bytes(b"PK")
        export = ExportFile(
            kind="results", owner_unit_id=world.units["D1"], status="ready",
            filename="route-scope.xlsx",
        )  # fmt: skip
        db.session.add(export)
        db.session.commit()
        ids = {
            "contest_id": world.contest_d1,
            "shared_contest_id": world.contest_d1,
            "round_id": db.session.get(Contest, world.contest_d1).rounds[0].id,
            "bank_id": world.bank_d1,
            "unit_id": world.units["D1-C1"],
            "staff_id": db.session.scalar(db.select(Staff.id).where(Staff.username == "view1")),
            "export_id": export.id,
            "conference_id": conference.id,
            "session_id": conference.sessions[0].id,
            "point_id": conference.points[0].id,
            "delegate_id": delegates_of(conference)[0].id,
            "document_id": document.id,
            "survey_id": make_survey(world.units["D1"]).id,
        }
    yield ids
    with app.app_context():
        (export_folder() / "route-scope.xlsx").unlink(missing_ok=True)


def console_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("console.")]


def _url(rule, ids: dict[str, int]) -> str:
    def value(match: re.Match) -> str:
        converter, name = match.group(1) or "", match.group(2)
        if converter.startswith("any("):
            return converter[4:].split(",")[0].strip()
        return str(ids[name]) if name in ids else WORDS[name]

    return re.sub(r"<(?:([^:>]+):)?([^>]+)>", value, rule.rule)


def _call(client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    token = csrf(client)
    return client.post(url, data={"csrf_token": token}, headers={"X-CSRFToken": token})


def test_every_id_in_a_console_url_is_in_the_scope_table(app):
    for rule in console_rules(app):
        for name, converter in rule._converters.items():
            if isinstance(converter, IntegerConverter) or name.endswith("_id"):
                assert name in SCOPED_ARGS, (rule.rule, name)
            else:
                assert name in WORDS or name == "action", (rule.rule, name)


def test_every_entry_of_the_scope_table_is_used_by_a_console_url(app):
    used = {name for rule in console_rules(app) for name in rule.arguments}
    assert set(SCOPED_ARGS) <= used


@pytest.mark.parametrize("arg", sorted(SCOPED_ARGS))
def test_an_organizer_of_another_unit_is_refused_every_route_naming_it(app, as_staff, d1_ids, arg):
    rules = [r for r in console_rules(app) if arg in r.arguments]
    assert rules, arg
    stranger = as_staff("org2")
    for rule in rules:
        for method in sorted(rule.methods & {"GET", "POST"}):
            with _call(stranger, method, _url(rule, d1_ids)) as response:
                status, body = response.status_code, response.get_data(as_text=True)
            assert status in {403, 404}, (method, rule.rule, status)
            assert "Hội nghị thử" not in body and "Cuộc thi thử" not in body
    # The same addresses work for the district's own organizer: the refusals
    # above come from the scope, not from ids that name nothing.
    owner = as_staff("org1")
    for rule in rules:
        if "GET" in rule.methods:
            with owner.get(_url(rule, d1_ids)) as response:
                assert response.status_code != 404, (rule.rule, response.status_code)


def test_a_child_named_under_another_conference_is_not_found(app, as_staff, d1_ids, world):
    """Both conferences are the organizer's: the delegate still belongs to only one."""
    from tests.conferences.helpers import make_conference

    with app.app_context():
        other = make_conference(world.units["D1"], title="Hội nghị khác").id
    owner = as_staff("org1")
    delegate, document = d1_ids["delegate_id"], d1_ids["document_id"]
    own = f"/console/conferences/{d1_ids['conference_id']}/delegates/{delegate}/qr.svg"
    assert owner.get(own).status_code == 200
    assert owner.get(f"/console/conferences/{other}/delegates/{delegate}/qr.svg").status_code == 404
    with owner.get(f"/console/conferences/{other}/documents/{document}") as response:
        assert response.status_code == 404
    session = d1_ids["session_id"]
    assert owner.get(f"/console/conferences/{other}/sessions/{session}/screen").status_code == 404


# Ids a view reads from a form or query string without loading anything by them.
UNLOADED = {("exports.py", "exports"): "round_id and contest_id only preselect the form's lists"}


def _request_ids(function: ast.FunctionDef):
    """(argument, variable or None) for each `request.form/args.get("<scoped id>")`."""
    for node in ast.walk(function):
        for target, value in _assignments(node):
            if _reads_scoped_id(value):
                yield value.args[0].value, getattr(target, "id", None)


def _assignments(node: ast.AST):
    if isinstance(node, ast.Assign):
        yield from ((target, node.value) for target in node.targets)
    elif isinstance(node, ast.Call):
        yield from ((None, arg) for arg in [*node.args, *(k.value for k in node.keywords)])


def _reads_scoped_id(value: ast.AST) -> bool:
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr == "get"
        and ast.unparse(value.func.value) in {"request.form", "request.args", "request.values"}
        and bool(value.args)
        and isinstance(value.args[0], ast.Constant)
        and value.args[0].value in SCOPED_ARGS
    )


def test_an_id_read_from_a_form_or_query_goes_through_the_scope_table():
    """The guard checks ids in URLs; an id that comes another way is loaded by
    `scoped_object` with the same table, never by a second check of its own."""
    console = Path(__file__).resolve().parents[2] / "quiz" / "console"
    unchecked = []
    for path in console.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
            if (path.name, function.name) in UNLOADED:
                continue
            checked = {
                (call.args[0].value, call.args[1].id)
                for call in ast.walk(function)
                if isinstance(call, ast.Call)
                and getattr(call.func, "id", None) == "scoped_object"
                and isinstance(call.args[0], ast.Constant)
                and isinstance(call.args[1], ast.Name)
            }
            for argument, variable in _request_ids(function):
                if (argument, variable) not in checked:
                    unchecked.append(f"{path.name}:{function.name} reads {argument}")
    assert unchecked == []
