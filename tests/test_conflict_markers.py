"""No file the project tracks holds a merge's conflict markers.

Several people merge main into their branches every few minutes; a marker
left in a Markdown file or a template breaks nothing that a test reads, so
it would land unseen (one did, in BENCHMARKS.md).
"""

from __future__ import annotations

import re
import subprocess

from tests.conftest import ROOT

MARKER = re.compile(rb"^(<{7}|={7}|>{7})( |$)", re.MULTILINE)


def test_no_tracked_file_holds_conflict_markers():
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    paths = [ROOT / name.decode() for name in listed if name]
    assert len(paths) > 100
    marked = [
        str(path.relative_to(ROOT))
        for path in paths
        if path.is_file() and MARKER.search(path.read_bytes())
    ]
    assert marked == []
