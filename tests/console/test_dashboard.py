"""The overview and the statistics page: scope, roles, the cache job, charts without inline code."""

from __future__ import annotations

import random
import re

from rq import SimpleWorker

from quiz.extensions import DEFAULT_QUEUE, db, get_queue, get_redis
from quiz.models import Unit
from quiz.reports import stats_jobs
from quiz.scoring.jobs import drain_submissions
from tests.console.conftest import csrf
from tests.factories import make_entrant
from tests.scoring.simulate import play


def play_d1(app, world) -> None:
    """Three entrants of D1's communes (one twice) and one of D2 play D1's contest."""
    with app.app_context():
        from quiz.models import Contest

        round_id = db.session.get(Contest, world.contest_d1).rounds[0].id
        c1, c2, d2 = (db.session.get(Unit, world.units[k]) for k in ("D1-C1", "D1-C2", "D2-C1"))
        c1.population, c2.population = 8, 2
        rng = random.Random(3)
        players = [make_entrant(101, c1), make_entrant(102, c1), make_entrant(103, c2)]
        players.append(make_entrant(104, d2))
        for player, right in zip(players, (5, 2, 4, 1), strict=True):
            play(round_id, player.id, rng, right=right)
        play(round_id, players[0].id, rng, right=3)
        drain_submissions(max_seconds=10)
        db.session.commit()


def run_jobs(app) -> None:
    with app.app_context():
        assert SimpleWorker([get_queue(DEFAULT_QUEUE)], connection=get_redis()).work(burst=True)


def queued(app) -> int:
    with app.app_context():
        return get_queue(DEFAULT_QUEUE).count


def cell_numbers(html: str, label: str) -> list[str]:
    """The numeric cells (rank first) of the table row whose unit link reads `label`."""
    rows = [r for r in html.split("<tr>") if f">{label}</a></td>" in r]
    assert len(rows) == 1, f"no single row for {label}"
    return re.findall(r'<td class="num">([^<]*)</td>', rows[0].split("</tr>")[0])


def test_the_overview_lists_the_contests_in_scope_with_live_counts(app, world, as_staff):
    play_d1(app, world)
    page = as_staff("org1").get("/console/")
    assert page.status_code == 200
    assert f"/console/contests/{world.contest_d1}/stats" in page.text
    assert f"/console/contests/{world.contest_d2}/stats" not in page.text
    # Four entrants started five attempts (live counters of the start script).
    row = re.search(r"/c/d1</a>.*?</tr>", page.text, re.S).group(0)
    assert re.findall(r'<td class="num">([^<]*)</td>', row) == ["1", "4", "5"]
    assert "chart.umd.min.js" not in page.text  # the library loads on the statistics page only
    admin = as_staff("admin").get("/console/").text
    assert f"/console/contests/{world.contest_d2}/stats" in admin


def test_the_stats_page_asks_a_job_then_renders_what_it_cached(app, world, as_staff):
    play_d1(app, world)
    client = as_staff("org1")
    url = f"/console/contests/{world.contest_d1}/stats"
    first = client.get(url)
    assert first.status_code == 200
    assert 'data-reload-after="5"' in first.text
    assert "Đang tính số liệu" in first.text
    assert queued(app) == 1
    client.get(url)
    assert queued(app) == 1  # reloading does not pile up jobs
    run_jobs(app)

    page = client.get(url)
    assert page.status_code == 200
    assert "data-reload-after" not in page.text
    with app.app_context():
        stats = stats_jobs.stats_for(world.contest_d1)
    assert stats["totals"] == {"entrants": 4, "attempts": 5}
    # org1 (D1) sees D1's communes, ranked by entrants, with the rate where the population is known.
    assert cell_numbers(page.text, "Xã D1-1") == ["1", "2", "3", "8", "25,0%"]
    assert cell_numbers(page.text, "Xã D1-2") == ["2", "1", "1", "2", "50,0%"]
    assert "Huyện D2" not in page.text and "Xã D2-1" not in page.text
    # The charts' numbers travel as JSON data; the scripts are files of our own.
    charts = re.search(
        r'<script type="application/json" id="stats-charts">(.*?)</script>', page.text
    )
    assert charts and '"data":[4]' in charts.group(1).replace(" ", "")
    assert "/static/vendor/chart.umd.min.js" in page.text
    assert "/static/console-charts.js" in page.text


def test_the_page_has_no_inline_code_or_style(app, world, as_staff):
    play_d1(app, world)
    with app.app_context():
        stats_jobs.compute_contest_stats(world.contest_d1)
    page = as_staff("admin").get(f"/console/contests/{world.contest_d1}/stats").text
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts and all("src=" in s or 'type="application/json"' in s for s in scripts)
    assert " style=" not in page and "<style" not in page
    library = as_staff("admin").get("/static/vendor/chart.umd.min.js")
    assert library.status_code == 200
    assert library.data.startswith(b"/*!\n * Chart.js v4.") and b"MIT License" in library.data[:200]
    library.close()


def test_drilling_down_lists_children_and_stays_in_scope(app, world, as_staff):
    play_d1(app, world)
    with app.app_context():
        stats_jobs.compute_contest_stats(world.contest_d1)
    url = f"/console/contests/{world.contest_d1}/stats"
    admin = as_staff("admin")
    top = admin.get(url).text
    # No population known: the participation rate does not apply ("—").
    assert cell_numbers(top, "Tỉnh Thử Nghiệm") == ["1", "4", "5", "", "—"]
    districts = admin.get(f"{url}?unit={world.units['P']}").text
    assert cell_numbers(districts, "Huyện D1") == ["1", "3", "4", "", "—"]
    assert cell_numbers(districts, "Huyện D2") == ["2", "1", "1", "", "—"]
    # The collective ranking: by entrants D1-C1 (2 of 8) leads, by rate D1-C2 (1 of 2).
    by_rate = admin.get(f"{url}?unit={world.units['D1']}&sort=rate").text
    assert cell_numbers(by_rate, "Xã D1-2")[0] == "1"
    assert cell_numbers(by_rate, "Xã D1-1")[0] == "2"
    by_attempts = admin.get(f"{url}?unit={world.units['D1']}&sort=attempts").text
    assert cell_numbers(by_attempts, "Xã D1-1")[0] == "1"
    org1 = as_staff("org1")
    assert org1.get(f"{url}?unit={world.units['D2']}").status_code == 404
    assert org1.get(f"{url}?unit={world.units['P']}").status_code == 404
    assert org1.get(f"{url}?unit={world.units['D1-C1']}").status_code == 200


def test_another_districts_contest_is_a_404(world, as_staff):
    client = as_staff("org1")
    assert client.get(f"/console/contests/{world.contest_d2}/stats").status_code == 404
    token = csrf(client)
    response = client.post(
        f"/console/contests/{world.contest_d2}/stats/recompute", data={"csrf_token": token}
    )
    assert response.status_code == 404


def test_a_viewer_reads_but_cannot_recompute(app, world, as_staff):
    viewer = as_staff("view1")
    url = f"/console/contests/{world.contest_d1}/stats"
    page = viewer.get(url)
    assert page.status_code == 200 and "Tính lại ngay" not in page.text
    token = csrf(viewer)
    assert viewer.post(f"{url}/recompute", data={"csrf_token": token}).status_code == 403


def test_an_organizer_recomputes_fresh_numbers_once(app, world, as_staff):
    with app.app_context():
        stats_jobs.compute_contest_stats(world.contest_d1)  # fresh: the page asks nothing
    client = as_staff("org1")
    url = f"/console/contests/{world.contest_d1}/stats"
    page = client.get(url)
    assert "Tính lại ngay" in page.text and queued(app) == 0
    token = csrf(client)
    response = client.post(f"{url}/recompute?round=1", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{url}?round=1")
    assert client.post(f"{url}/recompute", data={"csrf_token": token}).status_code == 303
    assert queued(app) == 1
    assert 'data-reload-after="5"' in client.get(url).text  # until the job has run
    run_jobs(app)
    assert "data-reload-after" not in client.get(url).text
