"""The checks every main screen passes, and the pictures the tests leave behind.

`check(page, name)` looks at the page on screen the way a reviewer would:
what it loaded (budget, origin), whether it speaks Vietnamese throughout,
what axe-core finds, and whether its script ran without errors or blocked
content (a CSP violation is a page that silently lost its behaviour).
Problems do not stop the journey: they are collected in PROBLEMS, the
journey goes on to check what the person sees next, and conftest.py fails
the test at its end with every screen's problems, each screen's picture
already saved.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from weakref import WeakKeyDictionary

from tests.browser import network
from tests.browser.accessibility import axe_violations, blocking, describe
from tests.browser.catalog import untranslated_on

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or fails) with the reason
    expect = None

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
WEIGHTS = ARTIFACTS / "page-weights.json"

TOKEN = re.compile(r"/a/[^/?]+")  # attempt tokens: long and different every run

_SCRIPT_PROBLEMS: WeakKeyDictionary = WeakKeyDictionary()
_SCRIPTS_OFF: WeakKeyDictionary = WeakKeyDictionary()


@dataclass
class Measured:
    """One checked screen, for the summary printed after the run."""

    name: str
    path: str
    bytes: int
    requests: int
    axe: dict[str, int] | None = None  # violations by impact; None: not run


MEASURED: list[Measured] = []
# Problems found on the screens of the running test; conftest.py fails the test with them.
PROBLEMS: list[str] = []


def watch_scripts(page, *, javascript: bool = True) -> None:
    """Record uncaught script errors and CSP refusals.

    Not failed requests: some journeys cut the network on purpose.
    """
    _SCRIPTS_OFF[page] = not javascript
    problems: list[str] = []
    _SCRIPT_PROBLEMS[page] = problems
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))

    def on_console(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(f"CSP: {message.text}")

    page.on("console", on_console)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.evaluate("() => window.scrollTo(0, 0)")  # sticky parts (the timer) in their place
    page.screenshot(path=str(path), full_page=True)
    return path


def check(page, name: str, **options) -> None:
    """Every check of a main screen; problems go to PROBLEMS.

    A page that refreshes itself (the result page while scoring) may reload
    in the middle of the checks: they start again on the new copy.
    """
    from playwright.sync_api import Error

    for _try in range(3):
        try:
            return _check(page, name, **options)
        except Error as error:
            if "context was destroyed" not in str(error):
                raise
    raise AssertionError(f"screen {name!r} kept reloading itself during the checks")


def _check(
    page, name: str, *, origin: str, budget: bool = True, axe: bool = True, shot: bool = True
) -> None:
    page.wait_for_load_state("load")
    if shot:
        screenshot(page, name)
    log = network.log_of(page)
    load = log.current()
    problems: list[str] = []
    foreign = log.foreign_requests(origin)
    if foreign:
        problems.append(f"requests outside {origin}: {foreign}")
    if budget and load.size > network.PAGE_BUDGET_BYTES:
        problems.append(f"over the {network.PAGE_BUDGET_BYTES:,}-byte budget: {load.describe()}")
    english = untranslated_on(page)
    if english:
        problems.append(f"untranslated messages: {english}")
    path = TOKEN.sub("/a/<token>", page.url.removeprefix(origin))
    record = Measured(name, path, load.size, len(load.items))
    # axe-core waits on timers, which never fire with scripts off; the same
    # templates are checked by the journeys with scripts on.
    if axe and not _SCRIPTS_OFF.get(page, False):
        violations = axe_violations(page)
        record.axe = {}
        for v in violations:
            record.axe[v["impact"]] = record.axe.get(v["impact"], 0) + 1
        serious = blocking(violations)
        if serious:
            problems.append(f"axe-core, serious or critical:\n{describe(serious)}")
    problems += _SCRIPT_PROBLEMS.get(page, [])
    MEASURED.append(record)
    if problems:
        PROBLEMS.append(f"screen {name!r} ({record.path}):\n" + "\n".join(problems))


def write_summary() -> list[str]:
    """The measured screens as lines for the terminal, and as JSON beside the screenshots."""
    if not MEASURED:
        return []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    WEIGHTS.write_text(json.dumps([asdict(m) for m in MEASURED], indent=1))
    lines = [f"{'screen':<40} {'bytes':>8} {'reqs':>4}  axe (all impacts)  path"]
    for m in MEASURED:
        axe = (
            "not run"
            if m.axe is None
            else ", ".join(f"{k} {n}" for k, n in m.axe.items()) or "none"
        )
        lines.append(f"{m.name:<40} {m.bytes:>8,} {m.requests:>4}  {axe:<17}  {m.path}")
    lines.append(f"budget {network.PAGE_BUDGET_BYTES:,} bytes; details in {WEIGHTS}")
    return lines
