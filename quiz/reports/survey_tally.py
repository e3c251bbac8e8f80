"""A survey's results from per-unit counts: pure functions, no database, no request.

The worker (`survey_jobs.py`) counts answers per unit once, with a few
grouped queries; these functions turn those counts into what the results
page shows for any unit the organizer drills into: counts and shares per
option, means for scales and numbers, grids row by row, cross-tabs. Units
are summed over the chosen subtree when the page renders (a few hundred
units: microseconds), so moving up and down the tree never recomputes.

Counts are plain dicts so they travel through JSON unchanged:
    {"responses": n,
     "answered": {question_id: responses that answered it},
     "counts": {question_id: {"row:option": n}}   # row "" outside grids, option "other"
     "numbers": {question_id: [count, sum, min, max]}}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

OTHER = "other"


@dataclass(frozen=True)
class OptionInfo:
    id: int
    value: str
    label: str
    role: str  # "option", "point" or "row"


@dataclass(frozen=True)
class QuestionInfo:
    id: int
    code: str
    kind: str
    text: str
    options: tuple[OptionInfo, ...] = ()
    allow_other: bool = False

    @property
    def choices(self) -> tuple[OptionInfo, ...]:
        return tuple(o for o in self.options if o.role != "row")

    @property
    def rows(self) -> tuple[OptionInfo, ...]:
        return tuple(o for o in self.options if o.role == "row")


@dataclass(frozen=True)
class OptionCount:
    label: str
    value: str
    count: int
    share: float | None  # of the question's respondents (may add up past 1 for "multiple")


@dataclass(frozen=True)
class GridRow:
    label: str
    answered: int
    options: list[OptionCount]
    mean: float | None


@dataclass
class QuestionResult:
    question: QuestionInfo
    answered: int
    options: list[OptionCount] = field(default_factory=list)
    grid: list[GridRow] = field(default_factory=list)
    mean: float | None = None  # scales (numeric point values) and numbers
    minimum: float | None = None
    maximum: float | None = None


def empty_counts() -> dict:
    return {"responses": 0, "answered": {}, "counts": {}, "numbers": {}}


def cell(row_option_id: int | None, option_id: int | None) -> str:
    """The key of one answer's place: "row:option", "" for no row, "other" for no option."""
    return f"{row_option_id or ''}:{option_id if option_id is not None else OTHER}"


def merge(total: dict, part: Mapping) -> dict:
    """Add one unit's counts into `total` (in place; returned for chaining)."""
    total["responses"] += part.get("responses", 0)
    for qid, n in part.get("answered", {}).items():
        total["answered"][qid] = total["answered"].get(qid, 0) + n
    for qid, cells in part.get("counts", {}).items():
        mine = total["counts"].setdefault(qid, {})
        for key, n in cells.items():
            mine[key] = mine.get(key, 0) + n
    for qid, (count, total_sum, low, high) in part.get("numbers", {}).items():
        old = total["numbers"].get(qid)
        if old is None:
            total["numbers"][qid] = [count, total_sum, low, high]
        else:
            total["numbers"][qid] = [
                old[0] + count, old[1] + total_sum, _min(old[2], low), _max(old[3], high)
            ]  # fmt: skip
    return total


def _min(a, b):
    return b if a is None else a if b is None else min(a, b)


def _max(a, b):
    return b if a is None else a if b is None else max(a, b)


def unit_keeper(
    paths: Mapping[int, str], root_path: str | None, allowed: set[int] | None = None
) -> Callable[[str], bool]:
    """Whether a unit key ("12"; "0": responses without a unit) is in the chosen subtree.

    `root_path` None: the whole survey, responses without a unit included
    when the account sees every unit (`allowed` None). `allowed` limits to
    the account's scope.
    """

    def keep(key: str) -> bool:
        unit_id = int(key)
        if unit_id == 0:
            return root_path is None and allowed is None
        path = paths.get(unit_id)
        if path is None or (allowed is not None and unit_id not in allowed):
            return False
        return root_path is None or path.startswith(root_path)

    return keep


def subtree_counts(by_unit: Mapping[str, Mapping], keep: Callable[[str], bool]) -> dict:
    """The counts of the units `keep` accepts, summed."""
    total = empty_counts()
    for key, part in by_unit.items():
        if keep(key):
            merge(total, part)
    return total


def _numeric(value: str) -> float | None:
    try:
        return float(value.replace(",", "."))
    except ValueError:
        return None


def _option_counts(options: Iterable[OptionInfo], cells: Mapping[str, int], row: str, base: int):
    counted = []
    for option in options:
        n = cells.get(f"{row}:{option.id}", 0)
        counted.append(OptionCount(option.label, option.value, n, n / base if base else None))
    return counted


def _mean(options: list[OptionCount]) -> float | None:
    """The mean of the points' values, when every point's value is a number."""
    values = [_numeric(o.value) for o in options]
    total = sum(o.count for o in options)
    if not total or any(v is None for v in values):
        return None
    return sum(v * o.count for v, o in zip(values, options, strict=True)) / total


def question_result(question: QuestionInfo, counts: Mapping) -> QuestionResult:
    """One question's figures from (subtree) counts."""
    qid = str(question.id)
    answered = counts["answered"].get(qid, 0)
    cells = counts["counts"].get(qid, {})
    result = QuestionResult(question, answered)
    if question.kind in ("single", "multiple", "scale"):
        result.options = _option_counts(question.choices, cells, "", answered)
        if question.allow_other or cells.get(f":{OTHER}"):
            n = cells.get(f":{OTHER}", 0)
            result.options.append(OptionCount("", OTHER, n, n / answered if answered else None))
        if question.kind == "scale":
            result.mean = _mean(result.options)
    elif question.kind == "grid":
        for row in question.rows:
            options = _option_counts(question.choices, cells, str(row.id), 0)
            base = sum(o.count for o in options)
            options = [
                OptionCount(o.label, o.value, o.count, o.count / base if base else None)
                for o in options
            ]
            result.grid.append(GridRow(row.label, base, options, _mean(options)))
    elif question.kind == "number":
        count, total, low, high = counts["numbers"].get(qid, (0, 0, None, None))
        result.mean = total / count if count else None
        result.minimum, result.maximum = low, high
    return result


def survey_results(questions: Iterable[QuestionInfo], counts: Mapping) -> list[QuestionResult]:
    return [question_result(q, counts) for q in questions]


@dataclass(frozen=True)
class CrossTab:
    rows: list[str]  # labels of the first question's options
    columns: list[str]  # labels of the second's
    counts: list[list[int]]  # counts[i][j]
    row_totals: list[int]
    column_totals: list[int]
    total: int


def cross_tab(first: QuestionInfo, second: QuestionInfo, pairs: Mapping[str, int]) -> CrossTab:
    """Respondents by the option they gave to each question (`pairs`: "a:b" → n).

    A respondent who picked two options of a multiple-choice question counts
    in both rows, so totals are of answers given, as in every survey tool.
    """
    rows, columns = first.choices, second.choices
    table = [[pairs.get(f"{a.id}:{b.id}", 0) for b in columns] for a in rows]
    return CrossTab(
        [o.label for o in rows],
        [o.label for o in columns],
        table,
        [sum(line) for line in table],
        [sum(line[j] for line in table) for j in range(len(columns))],
        sum(sum(line) for line in table),
    )


def merge_pairs(by_unit: Mapping[str, Mapping[str, int]], keep) -> dict[str, int]:
    """Cross-tab counts of the units `keep(unit key)` accepts, summed."""
    total: dict[str, int] = {}
    for key, pairs in by_unit.items():
        if keep(key):
            for pair, n in pairs.items():
                total[pair] = total.get(pair, 0) + n
    return total
