"""Every Redis key name comes from quiz/scoring/keys.py.

A string literal elsewhere in quiz/ that looks like a key ("q:...",
"units:...", a "{tag}") fails: a key spelled in two places drifts, and a
key built outside keys.py escapes its hash tag (under Redis Cluster, every
key one script touches must share a slot).
"""

from __future__ import annotations

import ast
import pathlib
import re

from quiz.scoring import keys

QUIZ = pathlib.Path(__file__).resolve().parent.parent / "quiz"
KEYS_MODULE = QUIZ / "scoring" / "keys.py"
# A word, a colon, then no slash or space ("q:upload:", "units:tree:..."),
# a hash tag, or a trailing colon-part glued on (":rebuild", ":dead").
KEY_LIKE = re.compile(r"^([a-z][a-z0-9_-]*:[^/\s:]|\{|:[a-z])")
# Literals of that shape that are not Redis keys (none today).
NOT_KEYS: set[str] = set()


def _docstrings(tree: ast.AST) -> set[int]:
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }


def _literals(tree: ast.AST):
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.JoinedStr):  # an f-string: its leading text
            head = node.values[0] if node.values else None
            if isinstance(head, ast.Constant) and isinstance(head.value, str):
                yield node.lineno, head.value
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def key_like_literals() -> list[str]:
    found: set[str] = set()
    for path in sorted(QUIZ.rglob("*.py")):
        if path == KEYS_MODULE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, text in _literals(tree):
            if KEY_LIKE.match(text) and text not in NOT_KEYS:
                found.add(f"{path.relative_to(QUIZ.parent)}:{line}: {text!r}")
    return sorted(found)


def test_no_redis_key_is_spelled_outside_keys_py():
    assert key_like_literals() == []


def test_the_check_sees_a_key_spelled_elsewhere():
    source = 'get(f"q:upload:{token}")\nA = "units:tree:version"\n'
    source += 'B = P + "stats:queued"\nC = K + ":dead"'
    hits = {text for _line, text in _literals(ast.parse(source)) if KEY_LIKE.match(text)}
    assert hits == {"q:upload:", "units:tree:version", "stats:queued", ":dead"}


def test_keys_touched_together_share_a_hash_tag():
    def tag(key: str) -> str:
        return key[key.index("{") : key.index("}") + 1]

    start = [keys.running(7, 3), keys.ADMISSION_BUCKET, keys.round_seqs(7), keys.ATTEMPT_IDS]
    start += [keys.NEW_ATTEMPTS, keys.round_attempts(7), keys.contest_attempts(2)]
    start += [keys.answers(99), keys.receipt(99), keys.attempt(99), keys.SUBMISSION_STREAM]
    assert {tag(k) for k in start} == {"{q}"}
    boards = [keys.round_board(2, 7), keys.round_board_entries(2, 8), keys.contest_board(2)]
    boards += [keys.contest_parts(2), keys.rebuilding(keys.contest_board(2))]
    assert {tag(k) for k in boards} == {"{c2}"}
    survey = [keys.survey_counts(5), keys.survey_draft(5, "x"), keys.survey_responses(5)]
    assert {tag(k) for k in survey} == {"{s5}"}
