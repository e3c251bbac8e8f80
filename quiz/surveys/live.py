"""The live page's figures: responses per unit against its target, by day.

One grouped query over the survey's written responses (unit and date are
all a response keeps), rolled up the unit tree in memory: a district's
figure counts the responses of its communes. Responses submitted but not
yet written (an anonymous survey writes them in groups) are counted from
Redis, so the organizer sees they are there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from quiz.extensions import db, get_redis
from quiz.models import Survey, SurveyResponse
from quiz.scoring import keys
from quiz.surveys.setup import targets_of
from quiz.units.tree import unit_tree

DAYS_SHOWN = 7


@dataclass
class LiveRow:
    unit_id: int | None
    name: str
    target: int | None
    total: int = 0
    has_children: bool = False
    by_day: dict[date, int] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        """Responses over target (1.0 = reached); None without a target."""
        return self.total / self.target if self.target else None


@dataclass
class LiveView:
    rows: list[LiveRow]
    total: LiveRow
    days: list[date]  # the latest days with responses, oldest first
    queued: int  # submitted, not yet written
    unplaced: LiveRow | None = None  # responses of no listed unit (no unit, or the parent's own)
    # When Redis was found to have forgotten who answered (and so responses not yet written).
    lost_at_ms: int | None = None


def _rows(survey: Survey, targets: dict[int, int], parent_id: int | None) -> list[LiveRow]:
    """The units with a target, or the children of `parent_id` (the survey's unit by default)."""
    tree = unit_tree()
    if targets and parent_id is None:
        ids = [n.id for n in tree.nodes() if n.id in targets]
    else:
        parent = parent_id or survey.unit_id
        ids = [n.id for n in tree.subtree(parent) if n.parent_id == parent]
    has_children = {n.parent_id for n in tree.nodes()}
    return [
        LiveRow(i, tree.get(i).full_name, targets.get(i), has_children=i in has_children)
        for i in ids
    ]


def live_view(survey: Survey, parent_id: int | None = None) -> LiveView:
    """The figures per unit: the units with targets, or the children of `parent_id`
    (which the caller has checked is the survey's unit or below it)."""
    targets = targets_of(survey.id)
    rows = _rows(survey, targets, parent_id)
    tree = unit_tree()
    within = tree.get(parent_id).path if parent_id else None  # None: the whole survey
    target = targets.get(parent_id) if parent_id else sum(targets.values())
    total = LiveRow(parent_id, "", target or None)
    counted = db.session.execute(
        select(SurveyResponse.unit_id, SurveyResponse.submitted_on, func.count())
        .where(SurveyResponse.survey_id == survey.id)
        .group_by(SurveyResponse.unit_id, SurveyResponse.submitted_on)
    ).all()
    paths = {row.unit_id: tree.get(row.unit_id).path for row in rows}
    for unit_id, day, n in counted:
        node = tree.get(unit_id)
        if within is not None and not (node and node.path.startswith(within)):
            continue
        for row in [total, *(r for r in rows if node and node.path.startswith(paths[r.unit_id]))]:
            row.total += n
            row.by_day[day] = row.by_day.get(day, 0) + n
    days = sorted(total.by_day)[-DAYS_SHOWN:]
    unplaced = None
    if not (targets and parent_id is None):  # the rows are siblings: they do not overlap
        unplaced = LiveRow(None, "", None, total.total - sum(r.total for r in rows))
        for day, n in total.by_day.items():
            unplaced.by_day[day] = n - sum(r.by_day.get(day, 0) for r in rows)
    client = get_redis()
    queued = int(client.xlen(keys.survey_responses(survey.id)) or 0)
    lost_at = int(client.hget(keys.survey_counts(survey.id), "!") or 0) or None
    shown = unplaced if unplaced and unplaced.total else None
    return LiveView(rows, total, days, queued, shown, lost_at)
