"""HTTP for published results, certificates, the verify page and an entrant's attempts."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for

from quiz.catalog.rounds import ContestInfo, get_contest, round_numbered
from quiz.contest.session import current_entrant
from quiz.results import bp
from quiz.results.certificates import certificate_for
from quiz.results.entrant_attempts import my_rounds
from quiz.results.public import RoundResults, contest_results, published_for_round

NO_STORE = {"Cache-Control": "no-store"}


def _contest(slug: str) -> ContestInfo:
    contest = get_contest(slug)
    if contest is None or not contest.published:
        abort(404)
    return contest


@bp.get("/c/<slug>/results")
def contest_results_page(slug: str):
    contest = _contest(slug)
    return render_template(
        "results/results.html", contest=contest, rounds=contest_results(contest), single=None
    )


@bp.get("/c/<slug>/r/<int:number>/results")
def round_results(slug: str, number: int):
    contest = _contest(slug)
    info = round_numbered(contest, number)
    if info is None:
        abort(404)
    winners = published_for_round(info)
    rounds = [RoundResults(info, winners)] if winners else []
    return render_template("results/results.html", contest=contest, rounds=rounds, single=info)


@bp.get("/c/<slug>/my-attempts")
def my_attempts(slug: str):
    contest = _contest(slug)
    entrant = current_entrant()
    if entrant is None:
        return redirect(url_for("contest.login_page", slug=slug), 303)
    rounds = my_rounds(contest, entrant.id)
    page = render_template("results/my_attempts.html", contest=contest, rounds=rounds)
    return page, 200, NO_STORE  # personal, and its scores change as workers score


@bp.get("/certificate/<code>")
def certificate(code: str):
    cert = certificate_for(code)
    if cert is None:
        return render_template("results/verify.html", code=code, cert=None, asked=True), 404
    return render_template("results/certificate.html", cert=cert)


@bp.get("/verify")
def verify():
    code = request.args.get("code", "").strip()[:60]
    cert = certificate_for(code) if code else None
    status = 404 if code and cert is None else 200
    page = render_template("results/verify.html", code=code, cert=cert, asked=bool(code))
    return page, status
