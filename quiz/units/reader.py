"""Reading the unit tree from Excel, with every problem listed by row and column.

Same rules as question banks: the workbook is read by `quiz.spreadsheets`
(limits, header search, every row), every problem is listed, and nothing
is written here. Forgiving where a person would be (headers in any case,
with or without diacritics or punctuation, a title row, blank rows, extra
columns, decomposed Vietnamese, "12.500" for twelve thousand five
hundred), strict where a mistake would corrupt the tree (unknown parents,
loops, duplicate codes, units outside the importer's scope).
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from quiz.spreadsheets import Row, read_workbook
from quiz.units.operations import MAX_POPULATION
from quiz.units.spec import (
    _NUMBER,
    HEADER,
    SPEC,
    KnownUnit,
    Problem,
    UnitReadResult,
    UnitRow,
)

# --- reading --------------------------------------------------------------------------


def read_units(
    data: bytes, known: dict[str, KnownUnit] | None = None, scope: str | None = None
) -> UnitReadResult:
    """Parse a workbook and check it against the units in `known`.

    `scope` is the importer's unit path: rows may only create or change
    units below it (None: anywhere). Raises FileRefused for a file that
    cannot be read at all.
    """
    result = read_workbook(data, SPEC, _UnitRows(), UnitReadResult())
    if result.rows:
        _check_links(result, known or {}, scope)
    if not result.problems:
        _plan(result.rows, known or {})
    return result


class _UnitRows:
    """The row parser; remembers codes for duplicates. Rows with problems are kept,
    so the checks across rows still see them."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def __call__(self, row: Row) -> UnitRow:
        if not row["code"] and "code" not in row.unsaved:
            row.problem("code", _l("The unit code is missing."))
        if not row["name"] and "name" not in row.unsaved:
            row.problem("name", _l("The unit name is missing."))
        population = _population(row["population"], lambda m: row.problem("population", m))
        code = row["code"]
        if code in self.seen:
            row.problem(
                "code",
                _l("Code %(code)s is also used on row %(row)s.", code=code, row=self.seen[code]),
            )
        elif code:
            self.seen[code] = row.number
        return UnitRow(row.number, code, row["name"], row["kind"], row["parent"], population)


def _population(text: str, report) -> int | None:
    """'12.500', '12,500', '12 500' and 12500 are all twelve thousand five hundred."""
    if not text:
        return None
    if not _NUMBER.match(text):
        report(
            _l(
                "“%(value)s” is not a whole number of 0 or more (population or membership).",
                value=text,
            )
        )
        return None
    number = int(re.sub(r"[., ]", "", text))
    if number > MAX_POPULATION:
        report(_l("%(value)s is too large for a population or membership.", value=text))
        return None
    return number


# --- checks across rows and against the database --------------------------------------


def _check_links(result: UnitReadResult, known: dict[str, KnownUnit], scope: str | None) -> None:
    in_file: dict[str, UnitRow] = {}
    for row in result.rows:
        if row.code:
            in_file.setdefault(row.code, row)  # a duplicate is reported already
    for row in result.rows:
        before = len(result.problems)
        _check_parent(row, in_file, known, result.problems)
        if scope is not None and len(result.problems) == before:
            _check_scope(row, in_file, known, scope, result.problems)
    _check_loops(result.rows, in_file, known, result.problems)


def _check_parent(row: UnitRow, in_file, known, problems) -> None:
    parent = row.parent_code
    if not parent:
        return

    def problem(message) -> None:
        problems.append(Problem(row.row, HEADER["parent"], message))

    if parent == row.code:
        problem(_l("A unit cannot be its own parent unit."))
    elif parent not in in_file and parent not in known:
        problem(
            _l(
                "Parent code %(code)s is neither in the file nor among the existing units.",
                code=parent,
            )
        )
    elif parent in known and known[parent].merged:  # an import cannot undo a merge
        problem(
            _l(
                "Unit %(code)s has been merged into another unit; "
                "put this unit under the unit it was merged into.",
                code=parent,
            )
        )


def _check_scope(row: UnitRow, in_file, known, scope: str, problems) -> None:
    """Rows may create or change only units below the importer's unit."""
    existing = known.get(row.code)
    if existing is not None and not existing.path.startswith(scope):
        problems.append(
            Problem(
                row.row,
                HEADER["code"],
                _l("Unit %(code)s is outside your units; you cannot change it.", code=row.code),
            )
        )
        return
    if existing is not None and (existing.parent_code or "") == row.parent_code:
        return  # stays where it is (your own unit keeps its parent above you)
    parent = row.parent_code
    if not parent:
        message = _l("Only an administrator can add or move a unit to the top level.")
    elif parent not in known or known[parent].path.startswith(scope):
        return  # a new unit from the file (placed by its own row), or one of yours
    else:
        message = _l(
            "Parent unit %(code)s is outside your units; choose a parent among your units.",
            code=parent,
        )
    problems.append(Problem(row.row, HEADER["parent"], message))


def _check_loops(rows: list[UnitRow], in_file, known, problems) -> None:
    """Parent links must end at the top: a loop (A under B under A) has no top."""

    def parent_of(code: str) -> str | None:
        if code in in_file:
            return in_file[code].parent_code or None
        unit = known.get(code)
        return unit.parent_code if unit else None

    limit = len(in_file) + len(known) + 1
    for row in rows:
        if not row.code or row.parent_code == row.code or in_file.get(row.code) is not row:
            continue  # no code, its own parent, or a duplicate: reported already
        chain = [row.code]
        code = parent_of(row.code)
        while code is not None and code != row.code and len(chain) <= limit:
            chain.append(code)
            code = parent_of(code)
        if code == row.code:
            loop = " → ".join([*chain, row.code])
            problems.append(
                Problem(
                    row.row,
                    HEADER["parent"],
                    _l("The parent codes form a loop: %(loop)s.", loop=loop),
                )
            )


def _plan(rows: list[UnitRow], known: dict[str, KnownUnit]) -> None:
    """Mark each row new, updated or unchanged, and whether it moves in the tree."""
    for row in rows:
        old = known.get(row.code)
        if old is None:
            continue
        row.moves = (old.parent_code or "") != row.parent_code
        same = (old.name, old.kind, old.population) == (row.name, row.kind, row.population)
        row.action = "same" if same and not row.moves else "update"
