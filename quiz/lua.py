"""Redis Lua scripts live in .lua files, each with a header listing its KEYS and ARGV.

A script in a file of its own reads as Lua (an editor highlights it, a
reviewer sees its contract first); the module that runs it registers it once
per client, so each call sends only the script's SHA.

Every key a script touches comes in KEYS (so Redis Cluster can route the call
and check that its keys share a slot). Scripts return named result codes:
each declares them at its top as `local NAME = number`, and Python names the
same numbers in an IntEnum (tests/test_lua_scripts.py checks both agree).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import redis
from redis.commands.core import Script

CODE_LINE = re.compile(r"^local ([A-Z][A-Z_]*) = (-?\d+)$", re.MULTILINE)


@functools.cache
def script_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def script_path(beside: str, name: str) -> Path:
    """`lua/<name>.lua`, found next to the module file `beside`."""
    return Path(beside).parent / "lua" / f"{name}.lua"


def load_script(client: redis.Redis, beside: str, name: str) -> Script:
    """Register `lua/<name>.lua`, found next to the module file `beside`."""
    return client.register_script(script_text(script_path(beside, name)))


def declared_codes(text: str) -> dict[str, int]:
    """The result codes a script declares (`local NAME = number` lines)."""
    return {name: int(value) for name, value in CODE_LINE.findall(text)}
