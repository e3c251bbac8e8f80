"""Who commits: area functions flush; the view, CLI command or job owning the work commits.

Read from the source (AST), so a commit added later in an area function
fails here. A module may commit when it registers routes (a view module),
is a job module (`jobs.py`, `*_jobs.py`: RQ entry points) or a command
(`cli.py`, and `demo.py`, the body of `flask seed-demo`). Anything else is
named below with the reason its commit cannot move to the caller.
"""

from __future__ import annotations

import ast
from pathlib import Path

QUIZ = Path(__file__).resolve().parent.parent / "quiz"

COMMANDS = {"cli.py", "demo.py"}
ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete", "before_request"}

# (module, function): why it commits itself.
ALLOWED = {
    ("conferences/checkin.py", "record_scan"): (
        "retries a scan on a unique-key race: each try is its own transaction, "
        "rolled back whole when another scan of the same delegate won"
    ),
    ("scoring/generation.py", "_check"): "ids reserved in the database before Redis hands one out",
    ("scoring/generation.py", "reserve_block"): "the same: the block is durable before use",
    ("scoring/persistence.py", "persist_new_attempts"): (
        "stream consumer: attempts committed before their entries are acknowledged and deleted"
    ),
    ("scoring/batch.py", "score_submissions"): (
        "scoring consumer: scores committed before their stream entries are acknowledged"
    ),
    ("scoring/batch.py", "_disqualified"): (
        "scoring consumer: ends its read so a long-running worker holds no snapshot"
    ),
    ("surveys/drain.py", "drain_survey"): (
        "RQ job: each batch committed before its stream entries are deleted"
    ),
}


def _modules():
    for path in sorted(QUIZ.rglob("*.py")):
        yield path.relative_to(QUIZ).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _registers_routes(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                call = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(call, ast.Attribute) and call.attr in ROUTE_DECORATORS:
                    return True
    return False


def _owns_its_work(name: str, tree: ast.Module) -> bool:
    filename = name.rsplit("/", 1)[-1]
    if filename in COMMANDS or filename == "jobs.py" or filename.endswith("_jobs.py"):
        return True
    return _registers_routes(tree)


def _commits(tree: ast.Module):
    """(function, line) of every `.commit(` call, named by its outermost function."""
    for top in tree.body:
        for node in ast.walk(top):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "commit"
            ):
                yield getattr(top, "name", "<module>"), node.lineno


def test_area_functions_flush_and_leave_the_commit_to_their_caller():
    offenders = [
        f"quiz/{name}:{line} {function}"
        for name, tree in _modules()
        if not _owns_its_work(name, tree)
        for function, line in _commits(tree)
        if (name, function) not in ALLOWED
    ]
    assert not offenders, "commit in an area function (flush; let the view or job commit):\n" + (
        "\n".join(offenders)
    )


def test_every_allowed_commit_is_still_there():
    """A stale entry would let a new commit in the same function through unnoticed."""
    found = {(name, function) for name, tree in _modules() for function, _ in _commits(tree)}
    assert set(ALLOWED) <= found, set(ALLOWED) - found


def test_the_scanner_finds_a_commit_in_an_area_function():
    source = "def apply(rows):\n    db.session.add_all(rows)\n    db.session.commit()\n"
    tree = ast.parse(source)
    assert list(_commits(tree)) == [("apply", 3)]
    assert not _owns_its_work("units/apply.py", tree)
    view = "@bp.post('/x')\ndef x():\n    db.session.commit()\n"
    assert _owns_its_work("units/views_x.py", ast.parse(view))
