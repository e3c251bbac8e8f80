"""axe-core, injected into the page under test only: the app never serves it.

The vendored copy (vendor/axe.min.js, MPL-2.0, see vendor/README.md) keeps the
tests offline and the version fixed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")

RUN_AXE_JS = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(" ")).slice(0, 5),
    summary: (v.nodes[0] || {}).failureSummary || "",
  }));
}"""


def axe_violations(page) -> list[dict]:
    """Every violation axe finds on the page as it is now (all impacts).

    Not `add_script_tag`: the app's Content-Security-Policy (script-src 'self')
    rightly refuses an inline script, and turning CSP off would hide the
    violations the journeys watch for. Evaluated through the DevTools
    protocol, the script runs beside the page, which never loads it.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    return page.evaluate(RUN_AXE_JS)


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8") + "\n;undefined"


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"[{v['impact']}] {v['id']}: {v['help']} at {', '.join(v['targets'])}\n    {v['summary']}"
        for v in violations
    )
