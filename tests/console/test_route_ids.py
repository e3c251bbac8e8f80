"""Ids in URLs beyond what the database holds: refused by the router on every route, never a 500."""

from __future__ import annotations

import re

HUGE = 2**40  # past PostgreSQL's integer: it would fail in the database


def test_every_route_with_an_id_refuses_an_id_too_large(app, world, as_staff):
    admin = as_staff("admin")  # sees everything: a 404 cannot come from the scope guard
    rules = [rule for rule in app.url_map.iter_rules() if "int" in str(rule.rule)]
    assert len(rules) > 30  # the console, the contest pages and the conferences
    for rule in rules:
        url = re.sub(r"<int:[^>]+>", str(HUGE), rule.rule)
        url = re.sub(r"<(?:string:)?[^>]+>", "x", url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = admin.open(url, method=method)
            # 405 where another rule has the same path for another method.
            assert response.status_code in (404, 405), (method, url, response.status_code)
    # The same routes take ids the database does hold.
    assert admin.get(f"/console/contests/{world.contest_d1}").status_code == 200
