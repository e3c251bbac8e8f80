"""Paths added later go through the identity rule too: only it creates or writes an entrant.

A new way in (a console form, an import, another event type) that built an
Entrant itself, or set an entrant's fields, would bypass the per-phone
budget and the create-only rule. This reads the application's source, so
such a path fails here before it ships; `quiz/contest/identity_rule.py` is
the one module allowed.
"""

from __future__ import annotations

import ast

from tests.conftest import ROOT

RULE = ROOT / "quiz/contest/identity_rule.py"
FIELDS = set("phone full_name birth_year gender citizen_id unit_id unit_other occupation".split())


def _writes(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            args = [ast.unparse(a) for a in node.args]
            builds = name == "Entrant" or (name in {"update", "insert"} and "Entrant" in args)
            sets = name == "setattr" and args and "entrant" in args[0].lower()
            if builds or sets:
                found.append((node.lineno, ast.unparse(node)[:80]))
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            for part in ast.walk(target):
                if (
                    isinstance(part, ast.Attribute)
                    and part.attr in FIELDS
                    and "entrant" in ast.unparse(part.value).lower()
                ):
                    found.append((node.lineno, ast.unparse(node)[:80]))
    return sorted(found)


def test_only_the_identity_rule_creates_or_writes_entrants():
    offenders = []
    for path in sorted((ROOT / "quiz").rglob("*.py")):
        if path == RULE or path.is_relative_to(ROOT / "quiz/models"):
            continue
        for line, code in _writes(ast.parse(path.read_text(), str(path))):
            offenders.append(f"{path.relative_to(ROOT)}:{line}: {code}")
    assert offenders == []


def test_the_check_sees_each_kind_of_write():
    source = """
entrant = Entrant(phone=p)
known.entrant.full_name = "x"
setattr(entrant, name, value)
db.session.execute(update(Entrant).values(citizen_id=None))
"""
    assert [line for line, _code in _writes(ast.parse(source))] == [2, 3, 4, 5]
