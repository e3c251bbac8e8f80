"""Reading rendered pages in tests."""

from __future__ import annotations

import re

ASSET_URL = re.compile(r'/static/[^"\']+')


def without_asset_urls(html: str) -> str:
    """The page without its static asset URLs: their content hash is hex and changes with
    every edit of the file, so a check that a page holds no phone digits would fail on a
    hash that happens to hold them (app.js's e39edc003f held "003")."""
    return ASSET_URL.sub("", html)
