"""The Lua scripts' contract: a header naming KEYS and ARGV, keys only from KEYS, named codes.

Under Redis Cluster a script call is routed by its KEYS, and Redis refuses
one whose keys are not all in one slot; a key built inside the script from a
prefix escapes that check. So every key a script touches must come in KEYS
(start.lua's attempt-id keys are the one listed exception, see its header).
"""

from __future__ import annotations

import pathlib
import re

import pytest

from quiz.lua import declared_codes
from quiz.scoring.codes import SCRIPT_CODES

QUIZ = pathlib.Path(__file__).resolve().parent.parent / "quiz"
SCRIPTS = sorted(QUIZ.rglob("*.lua"))
CALL = re.compile(r"redis\.call\('(\w+)'(?:,\s*([^,)]+))?")
# Commands that take no key.
KEYLESS = {"INFO", "TIME"}
# start.lua names the attempt's keys from their id, born in the script (its
# header explains why they still share the script's slot).
BUILT_INSIDE = {"start.lua": {"ARGV[4] .. aid", "record", "answers"}}


def _name(path: pathlib.Path) -> str:
    return path.relative_to(QUIZ).as_posix()


def _key_names(text: str) -> set[str]:
    """Locals bound to KEYS entries, and loop variables over KEYS."""
    names = set()
    for left, right in re.findall(r"local ([\w, ]+) = ([^\n]+)", text):
        values = [v.strip() for v in right.split(",")]
        for name, value in zip(left.split(","), values, strict=False):
            if value.startswith("KEYS["):
                names.add(name.strip())
    names.update(re.findall(r"for \w+, (\w+) in ipairs\(KEYS\)", text))
    return names


def test_every_script_is_known():
    assert sorted(_name(p) for p in SCRIPTS) == sorted(SCRIPT_CODES)


@pytest.mark.parametrize("path", SCRIPTS, ids=_name)
def test_header_names_keys_and_argv(path):
    header = path.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert re.search(r"^-- KEYS", header, re.MULTILINE), "the header lists KEYS"
    assert re.search(r"^-- ARGV", header, re.MULTILINE), "the header lists ARGV"
    assert re.search(r"^-- Returns", path.read_text(encoding="utf-8"), re.MULTILINE)


@pytest.mark.parametrize("path", SCRIPTS, ids=_name)
def test_every_key_comes_from_keys(path):
    text = path.read_text(encoding="utf-8")
    allowed = _key_names(text) | BUILT_INSIDE.get(path.name, set())
    for command, first in CALL.findall(text):
        if command in KEYLESS:
            continue
        first = first.strip()
        assert first.startswith("KEYS[") or first in allowed, f"{command} {first}"


@pytest.mark.parametrize("path", SCRIPTS, ids=_name)
def test_result_codes_are_named_alike_in_lua_and_python(path):
    codes = SCRIPT_CODES[_name(path)]
    expected = {} if codes is None else {c.name: int(c) for c in codes}
    assert declared_codes(path.read_text(encoding="utf-8")) == expected


def test_the_key_check_sees_a_key_built_from_a_prefix():
    text = "local board = KEYS[1]\nredis.call('ZADD', board, 0, 'x')\n"
    text += "redis.call('HSET', ARGV[1] .. 'lbe:' .. rid, 'a', 1)\n"
    firsts = [first.strip() for _c, first in CALL.findall(text)]
    assert [f in _key_names(text) for f in firsts] == [True, False]
