"""The shape of quiz/: imports between areas run one way; files and functions stay small.

An area is a package directly under quiz/ (contest, scoring, catalog, ...)
or a top-level module (extensions, worker, ...). An edge A -> B means some
module of A imports from B, at the top or inside a function: either way A
cannot be read, changed or tested without B. A cycle of any length between
areas fails. The package's own `__init__` (create_app) is the composition
root: it imports every area to build the app, and workers import
`create_app` from it, so it is not an area.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

QUIZ = pathlib.Path(__file__).resolve().parent.parent / "quiz"
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60

# Edges that close a cycle and are being removed. Each entry must name a
# cycle that still exists (test_known_cycle_edges_still_exist fails once it
# is gone): delete the entry when you remove the cycle.
KNOWN_CYCLE_EDGES: dict[tuple[str, str], str] = {}


def _area(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "quiz" or len(parts) < 2:
        return None
    name = parts[1]
    if (QUIZ / name).is_dir() or (QUIZ / f"{name}.py").is_file():
        return name
    return None  # a name defined in quiz/__init__.py (create_app)


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        if node.module == "quiz":  # from quiz import throttle
            return [f"quiz.{alias.name}" for alias in node.names]
        return [node.module]
    return []


def _sources() -> list[pathlib.Path]:
    return sorted(QUIZ.rglob("*.py"))


def area_graph() -> dict[str, dict[str, list[str]]]:
    """area -> imported area -> the files that import it."""
    graph: dict[str, dict[str, list[str]]] = {}
    for path in _sources():
        relative = path.relative_to(QUIZ.parent)
        source = _area(".".join(relative.with_suffix("").parts))
        if source is None:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for name in _imported(node):
                target = _area(name)
                if target and target != source:
                    graph.setdefault(source, {}).setdefault(target, []).append(str(relative))
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one area (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(area: str) -> None:
        index[area] = low[area] = len(index)
        stack.append(area)
        for target in sorted(graph.get(area, ())):
            if target not in index:
                visit(target)
                low[area] = min(low[area], low[target])
            elif target in stack:
                low[area] = min(low[area], index[target])
        if low[area] == index[area]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == area:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for area in sorted(graph):
        if area not in index:
            visit(area)
    return found


def _edges(without=()) -> dict[str, set[str]]:
    graph = area_graph()
    return {
        source: {target for target in targets if (source, target) not in without}
        for source, targets in graph.items()
    }


def test_no_import_cycle_between_areas():
    found = cycles(_edges(without=KNOWN_CYCLE_EDGES))
    graph = area_graph()
    detail = [
        f"{a} -> {b}: {', '.join(sorted(set(graph[a][b]))[:3])}"
        for group in found
        for a in group
        for b in group
        if b in graph.get(a, {})
    ]
    assert not found, "import cycles between areas:\n" + "\n".join(detail)


@pytest.mark.parametrize("edge", sorted(KNOWN_CYCLE_EDGES))
def test_known_cycle_edges_still_exist(edge):
    """A cycle listed as known and since removed must leave the list with it."""
    source, target = edge
    in_cycle = any(source in group and target in group for group in cycles(_edges()))
    assert in_cycle, (
        f"{source} -> {target} closes no cycle any more: delete it from KNOWN_CYCLE_EDGES"
    )


def test_cycle_finder_sees_long_cycles():
    """The walk finds a cycle through three areas, not only pairs."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}}) == []


def test_no_file_over_the_limit():
    long = [
        f"{path.relative_to(QUIZ.parent)}: {count} lines"
        for path in _sources()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_FILE_LINES
    ]
    assert not long, f"files over {MAX_FILE_LINES} lines (split by what they hold):\n" + "\n".join(
        long
    )


def test_no_function_over_the_limit():
    long = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                count = node.end_lineno - node.lineno + 1
                if count > MAX_FUNCTION_LINES:
                    long.append(
                        f"{path.relative_to(QUIZ.parent)}:{node.lineno} {node.name}: {count}"
                    )
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(long)


def test_the_readme_layout_has_a_line_for_every_package():
    readme = (QUIZ.parent / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    packages = sorted(p.parent.name for p in QUIZ.glob("*/__init__.py"))
    missing = [name for name in packages if f"\nquiz/{name}/ " not in layout]
    assert packages and not missing, f"README's Layout section lacks: {missing}"
