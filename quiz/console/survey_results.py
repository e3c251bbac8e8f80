"""A survey's results in the console: figures per question, charts, cross-tab, open answers.

The page renders what the last RQ job cached (`quiz.reports.survey_jobs`)
and asks for a job when that is missing or older than the contest
statistics' five minutes; the request itself never counts answers, and
respondents' pages never touch any of it. Counts are cached per unit, so
drilling down the unit tree (and the account's own scope) is a sum at
render time; each demographic filter and each cross-tab is its own cached
variant, computed the first time someone asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from quiz.console import bp
from quiz.console.access import ALL_ROLES, EDITORS, allow, scope_unit_ids
from quiz.console.dashboard import _breadcrumb, _drill_parent
from quiz.contest.registration import GENDER_CHOICES, OCCUPATION_CHOICES, choice_labels
from quiz.models.surveys import Survey, SurveyQuestion
from quiz.reports import survey_jobs
from quiz.reports.statistics import merge_targets
from quiz.reports.stats_jobs import is_stale
from quiz.reports.survey_counts import FILTERS, clean_filters, question_infos
from quiz.reports.survey_privacy import mask_cross, min_group, too_few
from quiz.reports.survey_tally import (
    OTHER,
    QuestionInfo,
    QuestionResult,
    cross_tab,
    merge_pairs,
    subtree_counts,
    survey_results,
    unit_keeper,
)
from quiz.reports.survey_texts import (
    clean_search,
    has_open_answers,
    open_answers,
    responses_count,
)
from quiz.timeutil import now_ms
from quiz.units.tree import unit_tree
from quiz.web import row_id

CROSS_KINDS = ("single", "multiple", "scale")  # questions a cross-tab can pair
VIEW_ARGS = ("unit", *FILTERS, "x1", "x2")


def filter_labels() -> dict[str, dict[str, str]]:
    """How each stored filter value reads (age bands read as they are stored)."""
    return {
        "gender": choice_labels(GENDER_CHOICES),
        "occupation": choice_labels(OCCUPATION_CHOICES),
    }


@dataclass(frozen=True)
class UnitRow:
    unit_id: int
    name: str
    full_name: str
    responses: int


@dataclass(frozen=True)
class Cached:
    data: dict | None
    computing: bool


def _cached(survey_id: int, filters: dict, pair=None) -> Cached:
    """The last computed variant; a job is asked for when it is missing or stale."""
    data = survey_jobs.results_for(survey_id, filters, pair)
    if is_stale(data):
        survey_jobs.request_results(survey_id, filters, pair)
    computing = is_stale(data) or survey_jobs.is_queued(survey_id, filters, pair)
    return Cached(data, computing)


def _minimum(survey: Survey) -> int:
    """The survey's minimum group size: `SURVEY_MIN_GROUP` if anonymous, else 0."""
    return min_group(survey.anonymous, current_app.config["SURVEY_MIN_GROUP"])


def _view_args(*leave_out: str) -> dict:
    """The page's choices (unit, filters, cross-tab), carried through links and buttons."""
    return {k: v for k, v in request.args.items() if k in VIEW_ARGS and k not in leave_out and v}


def _keeper(parent_id: int | None):
    """Which unit keys count: the chosen unit's subtree, within the account's scope."""
    tree = unit_tree()
    paths = {node.id: node.path for node in tree.nodes()}
    allowed = scope_unit_ids()
    root = tree.get(parent_id)
    return unit_keeper(
        paths, root.path if root else None, set(allowed) if allowed is not None else None
    )


def _unit_rows(by_unit: dict, parent_id: int | None) -> list[UnitRow]:
    """The chosen unit's children (top units without one) with their subtree's responses."""
    tree = unit_tree()
    paths = {node.id: node.path for node in tree.nodes()}
    allowed = scope_unit_ids()
    allowed_set = set(allowed) if allowed is not None else None
    rows = []
    for node in tree.nodes():
        if node.parent_id != parent_id or node.merged:
            continue
        if allowed_set is not None and node.id not in allowed_set:
            continue
        keep = unit_keeper(paths, node.path, allowed_set)
        responses = sum(part["responses"] for key, part in by_unit.items() if keep(key))
        rows.append(UnitRow(node.id, node.name, node.full_name, responses))
    return rows


def _chart(result: QuestionResult) -> dict | None:
    """Chart data for console-charts.js: one bar per option, or per grid row and point."""
    respondents = _("Respondents")
    if result.options:
        labels = [o.label or _("Other") for o in result.options]
        return {
            "labels": labels,
            "datasets": [{"label": respondents, "data": [o.count for o in result.options]}],
        }
    if result.grid:
        points = [o.label for o in result.grid[0].options]
        return {
            "labels": [row.label for row in result.grid],
            "datasets": [
                {"label": point, "data": [row.options[i].count for row in result.grid]}
                for i, point in enumerate(points)
            ],
        }
    return None


def _pair(questions: list[QuestionInfo]) -> tuple[tuple[int, int] | None, str | None]:
    """The two questions of the cross-tab (?x1=&x2=), or why they cannot be paired."""
    first, second = request.args.get("x1", type=row_id), request.args.get("x2", type=row_id)
    if first is None and second is None:
        return None, None
    ids = {q.id for q in questions if q.kind in CROSS_KINDS}
    if first not in ids or second not in ids:
        return None, _("Choose two choice or scale questions of this survey.")
    if first == second:
        return None, _("Choose two different questions.")
    return (first, second), None


def _cross_context(survey: Survey, questions, filters, keep) -> dict:
    pair, error = _pair(questions)
    shown = pair or tuple(q.id for q in questions if q.kind in CROSS_KINDS)[:2] + (None, None)
    context = {
        "pair": pair,
        "pair_error": error,
        "cross": None,
        "cross_computing": False,
        "cross_selected": {"x1": shown[0], "x2": shown[1]},
    }
    if pair is None:
        return context
    cached = _cached(survey.id, filters, pair)
    context["cross_computing"] = cached.computing
    if cached.data is not None:
        by_id = {q.id: q for q in questions}
        pairs = merge_pairs(cached.data["pairs"], keep)
        context["cross"] = cross_tab(by_id[pair[0]], by_id[pair[1]], pairs)
    return context


@bp.get("/surveys/<int:survey_id>/results")
@allow(*ALL_ROLES)
def survey_results_page(survey_id: int):
    survey: Survey = g.survey
    filters = clean_filters(request.args)
    parent_id = _drill_parent()
    questions = question_infos(survey)
    cached = _cached(survey.id, filters)
    everything = cached.data if not filters else survey_jobs.results_for(survey.id, {})
    context = {
        "survey": survey,
        "data": cached.data,
        "computing": cached.computing,
        "filters": filters,
        "choices": (everything or {}).get("choices", {}),
        "questions": questions,
        "cross_questions": [q for q in questions if q.kind in CROSS_KINDS],
        "open_ids": {q.id for q in survey.questions if has_open_answers(q)},
        "parent": unit_tree().get(parent_id),
        "breadcrumb": _breadcrumb(parent_id),
        "view_args": _view_args(),
        "without_unit": _view_args("unit"),
        "without_cross": _view_args("x1", "x2"),
        "other": OTHER,
        "filter_labels": filter_labels(),
    }
    keep = _keeper(parent_id)
    counts = subtree_counts(cached.data["units"], keep) if cached.data is not None else None
    context.update(_cross_context(survey, questions, filters, keep))
    context["minimum"] = minimum = _minimum(survey)
    context["too_few"] = counts is not None and too_few(counts["responses"], minimum)
    if counts is None or context["too_few"]:
        context["cross"] = None  # nothing drawn from a group under the minimum
    else:
        results = survey_results(questions, counts)
        context.update(
            counts=counts,
            results=results,
            units=_unit_rows(cached.data["units"], parent_id),
            show_no_unit=current_user.scope_path is None and parent_id is None,
            no_unit=cached.data["units"].get("0", {}).get("responses", 0),
            charts={f"q{r.question.id}": chart for r in results if (chart := _chart(r))},
            age_minutes=max(0, (now_ms() - cached.data["computed_at_ms"]) // 60_000),
        )
        if context["cross"] is not None:
            context["cross"] = mask_cross(context["cross"], minimum)
    return render_template("console/survey_results.html", **context)


@bp.post("/surveys/<int:survey_id>/results/recompute")
@allow(*EDITORS)
def recompute_survey_results(survey_id: int):
    args = _view_args()
    filters = clean_filters(args)
    survey_jobs.request_results(survey_id, filters)
    pair, _error = _pair(question_infos(g.survey))
    if pair is not None:
        survey_jobs.request_results(survey_id, filters, pair)
    flash(_("The results are being computed; this page updates by itself."), "success")
    return redirect(url_for("console.survey_results_page", survey_id=survey_id, **args), 303)


def _unit_ids(parent_id: int | None) -> list[int] | None:
    """Raw unit ids whose responses count in the chosen subtree (merged units included)."""
    keep = _keeper(parent_id)
    if parent_id is None and keep("0"):
        return None  # everything, responses without a unit too
    merges = merge_targets()
    return [n.id for n in unit_tree().nodes() if keep(str(merges.get(n.id, n.id)))]


@bp.get("/surveys/<int:survey_id>/answers")
@allow(*ALL_ROLES)
def survey_open_answers(survey_id: int):
    survey: Survey = g.survey
    candidates = [q for q in survey.questions if has_open_answers(q)]
    wanted = request.args.get("question", type=row_id)
    question: SurveyQuestion | None = next((q for q in candidates if q.id == wanted), None)
    if question is None and candidates and wanted is None:
        question = candidates[0]
    search = clean_search(request.args.get("q"))
    parent_id = _drill_parent()
    filters = clean_filters(request.args)
    unit_ids = _unit_ids(parent_id)
    minimum = _minimum(survey)
    hidden = minimum > 0 and too_few(
        responses_count(survey.id, unit_ids=unit_ids, filters=filters), minimum
    )
    page = None
    if question is not None and not hidden:
        page = open_answers(
            question.id,
            search=search,
            unit_ids=unit_ids,
            filters=filters,
            page=max(1, min(request.args.get("page", 1, type=row_id), 10_000)),
        )
    return render_template(
        "console/survey_answers.html",
        survey=survey,
        candidates=candidates,
        question=question,
        unknown_question=wanted is not None and question is None,
        search=search,
        answers=page,
        parent=unit_tree().get(parent_id),
        filters=filters,
        filter_labels=filter_labels(),
        view_args=_view_args(),
        too_few=hidden,
        minimum=minimum,
    )
