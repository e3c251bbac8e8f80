"""A contest run by the province, seen from a district: its own units only, read-only."""

from __future__ import annotations

import pytest

from quiz.extensions import db
from quiz.reports.winners import publish_winners
from quiz.scoring.jobs import drain_submissions
from tests.factories import make_bank, make_contest
from tests.players import Player
from tests.results.conftest import answer

PEOPLE = [  # name, commune, right answers of 5
    ("Trần Văn Huyện Một", "D1-C1", 4),
    ("Lê Thị Huyện Hai", "D2-C1", 5),
    ("Phạm Minh Cũng Một", "D1-C2", 3),
]


@pytest.fixture
def province_contest(app, world) -> int:
    """A provincial contest: one entrant of district D2 ahead of two of D1; prizes published."""
    with app.app_context():
        contest = make_contest(make_bank(code="BP"), owner=world_unit(world, "P"), slug="tinh")
        round_ = contest.rounds[0]
        round_.prizes = {"first": 1, "second": 1}
        db.session.commit()
        ids = contest.id, round_.id
    for n, (name, commune, right) in enumerate(PEOPLE):
        player = Player(app.test_client(), "tinh")
        registered = player.register(
            phone=f"09000002{n:02d}", unit=str(world.units[commune]), full_name=name
        )
        assert registered.status_code == 303, registered.text
        answer(app, player, right)
    with app.app_context():
        drain_submissions(max_seconds=10)
        publish_winners(ids[1])
        db.session.commit()
    return ids[0]


def world_unit(world, code: str):
    from quiz.models import Unit

    return db.session.get(Unit, world.units[code])


@pytest.mark.parametrize("username", ["org1", "view1"])
def test_a_district_sees_its_own_units_in_a_provincial_contest(
    as_staff, province_contest, username
):
    client = as_staff(username)
    listing = client.get("/console/contests").text
    assert "Cuộc thi do cấp trên tổ chức" in listing
    assert f"/console/shared-contests/{province_contest}" in listing
    page = client.get(f"/console/shared-contests/{province_contest}").text
    assert "Trần Văn Huyện Một" in page and "Phạm Minh Cũng Một" in page
    assert "Lê Thị Huyện Hai" not in page  # district D2's entrant
    assert "0900000" not in page  # no phone numbers
    # Ranks are the whole round's: D1's best is second behind D2's entrant.
    assert '<td class="num">2</td><td>Trần Văn Huyện Một</td>' in page
    assert "Giải Nhì" in page and "Giải Nhất" not in page  # the first prize went to D2


def test_the_other_district_sees_only_its_own(as_staff, province_contest):
    page = as_staff("org2").get(f"/console/shared-contests/{province_contest}").text
    assert "Lê Thị Huyện Hai" in page and "Giải Nhất" in page
    assert "Trần Văn Huyện Một" not in page and "Phạm Minh Cũng Một" not in page


def test_the_provincial_contest_stays_closed_to_the_districts_pages_that_change_it(
    as_staff, province_contest
):
    client = as_staff("org1")
    assert client.get(f"/console/contests/{province_contest}").status_code == 404
    assert client.get(f"/console/contests/{province_contest}/edit").status_code == 404


def test_a_contest_of_another_district_is_not_shared(as_staff, world):
    client = as_staff("org1")
    assert client.get(f"/console/shared-contests/{world.contest_d2}").status_code == 404
    assert client.get(f"/console/shared-contests/{world.contest_d1}").status_code == 200


def test_a_draft_of_the_province_is_not_shared_until_published(app, as_staff, world):
    """The list of contests above shows published ones; their pages follow the same rule."""
    with app.app_context():
        draft = make_contest(make_bank(code="BD"), owner=world_unit(world, "P"), slug="nhap")
        draft.is_published = False
        db.session.commit()
        draft_id = draft.id
    client = as_staff("org1")
    assert client.get(f"/console/shared-contests/{draft_id}").status_code == 404
    assert f"/console/shared-contests/{draft_id}" not in client.get("/console/contests").text
    with app.app_context():
        db.session.get(type(draft), draft_id).is_published = True
        db.session.commit()
    assert client.get(f"/console/shared-contests/{draft_id}").status_code == 200
