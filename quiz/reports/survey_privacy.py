"""The minimum group size of an anonymous survey's results: pure functions.

A filter (a commune, women, over 60) can narrow an anonymous survey to one
or two respondents, whose answers anyone who knows who lives there could
then read as theirs. As in LimeSurvey and Qualtrics, results drawn from
fewer responses than a minimum (`SURVEY_MIN_GROUP`) are not shown, and a
cross-tab's cells under it are masked. Identified surveys have minimum 0.
"""

from __future__ import annotations

from dataclasses import replace

from quiz.reports.survey_tally import CrossTab


def min_group(anonymous: bool, configured: int) -> int:
    """The smallest group whose figures may be shown (0: no limit)."""
    return max(0, configured) if anonymous else 0


def too_few(responses: int, minimum: int) -> bool:
    """Whether a group of `responses` is too small to show anything of."""
    return responses < minimum


def mask_cross(cross: CrossTab, minimum: int) -> CrossTab:
    """The cross-tab with every cell of 1 to minimum - 1 respondents as None.

    The totals stay (they are the two questions' own counts), so a row or
    column with a single masked cell would give it back by subtraction: a
    second cell of that line, the smallest, is masked too, until no line
    has exactly one.
    """
    if minimum <= 1:
        return cross
    table = cross.counts
    hidden = {(i, j) for i, line in enumerate(table) for j, n in enumerate(line) if 0 < n < minimum}
    _complete(table, hidden)
    counts = [
        [None if (i, j) in hidden else n for j, n in enumerate(line)]
        for i, line in enumerate(table)
    ]
    return replace(cross, counts=counts)


def _complete(table: list[list[int]], hidden: set[tuple[int, int]]) -> None:
    """Masks one more cell in every row or column that has exactly one masked."""
    width = len(table[0]) if table else 0
    lines = [[(i, j) for j in range(width)] for i in range(len(table))]
    lines += [[(i, j) for i in range(len(table))] for j in range(width)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            shown = [c for c in line if c not in hidden]
            if len(line) - len(shown) == 1 and shown:
                hidden.add(min(shown, key=lambda c: table[c[0]][c[1]]))
                changed = True
