"""Redis Lua scripts live in .lua files, each with a header listing its KEYS and ARGV.

A script in a file of its own reads as Lua (an editor highlights it, a
reviewer sees its contract first); the module that runs it registers it once
per client, so each call sends only the script's SHA.
"""

from __future__ import annotations

from pathlib import Path

import redis
from redis.commands.core import Script


def load_script(client: redis.Redis, beside: str, name: str) -> Script:
    """Register `lua/<name>.lua`, found next to the module file `beside`."""
    return client.register_script((Path(beside).parent / "lua" / f"{name}.lua").read_text())
