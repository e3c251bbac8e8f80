"""What an import check hands back: the rows read, every problem, and the sheet read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from flask_babel import gettext

from quiz.spreadsheets.limits import MAX_LISTED_PROBLEMS
from quiz.spreadsheets.problems import Problem

T = TypeVar("T")


class ProblemList(list):
    """The problems as listed: the first MAX_LISTED_PROBLEMS kept, the rest only counted.

    A file with thousands of problems is fixed from its first ones, and
    200,000 problems (a sheet of wrong columns) would take more memory than
    the file's rows and a page nobody reads.
    """

    def __init__(self, *problems: Problem) -> None:
        super().__init__(problems)
        self.unlisted = 0

    def append(self, problem: Problem) -> None:
        if len(self) < MAX_LISTED_PROBLEMS:
            super().append(problem)
        else:
            self.unlisted += 1

    @property
    def total(self) -> int:
        return len(self) + self.unlisted


@dataclass
class Report(Generic[T]):
    sheet: str = ""
    rows: list[T] = field(default_factory=list)
    problems: ProblemList = field(default_factory=ProblemList)

    @property
    def ok(self) -> bool:
        """Importable: no problem anywhere and something to import."""
        return not self.problems and bool(self.rows)


def describe(problem: Problem) -> str:
    """A problem on one line of a terminal, as the console lists it ("Dòng 3 · Câu hỏi: …")."""
    where = [gettext("Row %(n)s", n=problem.row)] if problem.row else []
    if problem.column:
        where.append(problem.column)
    return f"{' · '.join(where)}: {problem.message}" if where else str(problem.message)
