"""HTTP for the leaderboards: a round's, and the contest's across its rounds.

Split from `views.py` (the same blueprint): names, units and ranked values
only, never phones.
"""

from __future__ import annotations

from flask import render_template, request

from quiz.catalog.rounds import get_round
from quiz.contest import bp
from quiz.contest.display import board_rows, score_visible
from quiz.contest.session import current_entrant_id
from quiz.contest.views import _contest_or_404, _round_or_404
from quiz.scoring.leaderboard import leaderboard

PAGE_SIZE = 50


@bp.get("/c/<slug>/r/<int:number>/leaderboard")
def round_leaderboard(slug: str, number: int):
    contest = _contest_or_404(slug)
    info = _round_or_404(contest, number)
    if not score_visible(info):
        return render_template(
            "contest/leaderboard.html",
            contest=contest,
            info=info,
            hidden=True,
            rows=[],
            page=1,
            pages=1,
            mine=None,
        )
    board = leaderboard()
    page, offset = _page()
    rows = board_rows(board.top(info.contest_id, info.id, PAGE_SIZE, offset), info.ranking_order)
    entrant_id = current_entrant_id()
    mine = board.rank_of(info.contest_id, info.id, entrant_id) if entrant_id else None
    return render_template(
        "contest/leaderboard.html",
        contest=contest,
        info=info,
        hidden=False,
        rows=rows,
        page=page,
        pages=_pages(board.size(info.contest_id, info.id)),
        mine=mine,
        order=info.ranking_order,
    )


@bp.get("/c/<slug>/leaderboard")
def contest_leaderboard(slug: str):
    contest = _contest_or_404(slug)
    infos = [get_round(rid) for rid in contest.round_ids]
    if not infos or not all(score_visible(i) for i in infos if i):
        return render_template(
            "contest/leaderboard.html",
            contest=contest,
            info=None,
            hidden=True,
            rows=[],
            page=1,
            pages=1,
            mine=None,
        )
    order = infos[0].ranking_order
    board = leaderboard()
    page, offset = _page()
    rows = board_rows(board.contest_top(contest.id, PAGE_SIZE, offset), order)
    entrant_id = current_entrant_id()
    mine = board.contest_rank_of(contest.id, entrant_id) if entrant_id else None
    return render_template(
        "contest/leaderboard.html",
        contest=contest,
        info=None,
        hidden=False,
        rows=rows,
        page=page,
        pages=_pages(board.contest_size(contest.id)),
        mine=mine,
        order=order,
    )


def _page() -> tuple[int, int]:
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1
    return page, (page - 1) * PAGE_SIZE


def _pages(count: int) -> int:
    return max(1, -(-count // PAGE_SIZE))
