"""What an import check hands back: the rows read, every problem, and the sheet read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from flask_babel import gettext

from quiz.spreadsheets.problems import Problem

T = TypeVar("T")


@dataclass
class Report(Generic[T]):
    sheet: str = ""
    rows: list[T] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

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
