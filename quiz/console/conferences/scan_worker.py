"""Console: the scanning page's service worker, so the page survives a reload while offline.

Low-end phones discard background tabs and reload them when the staff
member comes back; a page that needs the network to load would leave the
queued scans unreachable until it returns. The worker keeps copies of
what the scanning page loads (the page, its scripts and styles, the
conference's offline list) and answers from them when the network does
not (static/scan.js registers it; templates/console/conferences/scan_worker.js
is the worker).

Its scope is the scanning page of one conference and nothing else
(`Service-Worker-Allowed` is that page's address), so no other console page
is ever kept. The cache is named per conference and replaced when the
versions of what it keeps change; a page shown signed out deletes it
(static/forget-scans.js).
"""

from __future__ import annotations

import hashlib

from flask import current_app, render_template, url_for

from quiz.console import bp
from quiz.console.access import EDITORS, allow

CACHE_PREFIX = "quiz-scan-"  # static/forget-scans.js deletes caches named so
# What templates/console/base.html and scan.html load, by versioned address.
PAGE_ASSETS = ("app.css", "console.css", "console.js", "vendor/qr-scanner.umd.min.js", "scan.js")
# qr-scanner imports its decoder by a relative address, without the version.
DECODER = "vendor/qr-scanner-worker.min.js"


def worker_config(conference_id: int) -> dict:
    """What the worker keeps: `fresh` from the network first, `kept` from its copy first."""
    globals_ = current_app.jinja_env.globals
    static_url = globals_["static_url"]
    kept = [static_url(name) for name in PAGE_ASSETS]
    kept += [globals_["conferences_css"](), url_for("static", filename=DECODER)]
    # The cache's name changes with any version, the decoder's included.
    versions = "\n".join([*kept, static_url(DECODER)])
    version = hashlib.sha256(versions.encode()).hexdigest()[:10]
    prefix = f"{CACHE_PREFIX}{conference_id}-"
    return {
        "cache": prefix + version,
        "prefix": prefix,
        "fresh": [
            url_for("console.scan_page", conference_id=conference_id),
            url_for("console.offline", conference_id=conference_id),
        ],
        "kept": kept,
    }


@bp.get("/conferences/<int:conference_id>/scan-worker.js")
@allow(*EDITORS)
def scan_worker(conference_id: int):
    body = render_template(
        "console/conferences/scan_worker.js", worker=worker_config(conference_id)
    )
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = url_for(
        "console.scan_page", conference_id=conference_id
    )
    # Browsers check a worker for updates on each visit; never from a cache.
    response.headers["Cache-Control"] = "private, no-cache"
    return response
