"""Reading the unit tree from Excel, with every problem listed by row and column.

Same rules as question banks: the file is opened by the shared safe opener
(`quiz.banks.workbook`), every problem is listed, and nothing is written
here. Forgiving where a person would be (headers in any case, with or
without diacritics or punctuation, a title row, blank rows, extra columns,
decomposed Vietnamese, "12.500" for twelve thousand five hundred), strict
where a mistake would corrupt the tree (unknown parents, loops, duplicate
codes, units outside the importer's scope).
"""

from __future__ import annotations

import re
from itertools import zip_longest

from flask_babel import lazy_gettext as _l

from quiz.banks.spec import HEADER_SEARCH_ROWS, MAX_ROWS
from quiz.banks.workbook import FileRefused, cell_text, has_formulas, open_xlsx
from quiz.units.operations import (
    MAX_POPULATION,
)
from quiz.units.spec import (
    _NUMBER,
    COLUMNS,
    DATA_SHEET,
    HEADER,
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
    values_book = open_xlsx(data, data_only=True)
    formulas_book = open_xlsx(data, data_only=False) if has_formulas(data) else None
    try:
        result = _read(values_book, formulas_book)
    except FileRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - sheets are parsed lazily; damage shows here
        raise FileRefused(_l("The file is damaged and cannot be opened.")) from exc
    finally:
        values_book.close()
        if formulas_book is not None:
            formulas_book.close()
    if result.rows:
        _check_links(result, known or {}, scope)
    if not result.problems:
        _plan(result.rows, known or {})
    return result


def _find_header(rows: list[tuple]) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows):
        mapping: dict[str, int] = {}
        for position, value in enumerate(row):
            text = cell_text(value)
            for column in COLUMNS:
                if text and column.key not in mapping and column.matches(text):
                    mapping[column.key] = position
                    break
        if "code" in mapping and "name" in mapping:
            return index, mapping
    return None


def _pick_sheet(workbook):
    if DATA_SHEET in workbook.sheetnames:
        return workbook[DATA_SHEET]
    for sheet in workbook.worksheets:
        if _find_header(list(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True))):
            return sheet
    return None


def _too_many_rows() -> FileRefused:
    return FileRefused(
        _l(
            "The file has more than %(n)s rows; split it into several files.",
            n=f"{MAX_ROWS:,}".replace(",", "."),
        )
    )


def _no_header(sheet_title: str | None) -> Problem:
    if sheet_title is None:
        return Problem(
            None,
            None,
            _l(
                "No sheet has the header row of the template (columns “Mã đơn vị” and "
                "“Tên đơn vị”). Download the template and copy your units into its sheet "
                "“%(sheet)s”.",
                sheet=DATA_SHEET,
            ),
        )
    return Problem(
        None,
        None,
        _l(
            "Sheet “%(sheet)s” has no header row with the columns “Mã đơn vị” and "
            "“Tên đơn vị” in its first %(n)s rows.",
            sheet=sheet_title,
            n=HEADER_SEARCH_ROWS,
        ),
    )


def _read(values_book, formulas_book) -> UnitReadResult:
    result = UnitReadResult()
    sheet = _pick_sheet(values_book)
    if sheet is None:
        result.problems.append(_no_header(None))
        return result
    result.sheet = sheet.title
    if (sheet.max_row or 0) > MAX_ROWS + HEADER_SEARCH_ROWS:
        raise _too_many_rows()
    found = _find_header(list(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)))
    if found is None:
        result.problems.append(_no_header(sheet.title))
        return result
    header_index, mapping = found
    first = header_index + 2
    value_rows = sheet.iter_rows(min_row=first, values_only=True)
    formula_rows = (
        formulas_book[sheet.title].iter_rows(min_row=first, values_only=True)
        if formulas_book is not None
        else ()
    )
    seen: dict[str, int] = {}
    for offset, (values, formulas) in enumerate(zip_longest(value_rows, formula_rows)):
        if offset >= MAX_ROWS:
            raise _too_many_rows()
        row = _read_row(first + offset, values or (), formulas or (), mapping, result.problems)
        if row is not None:
            _check_duplicate(row, seen, result.problems)
            result.rows.append(row)
    if not result.rows and not result.problems:
        result.problems.append(Problem(None, None, _l("The sheet has no units.")))
    return result


def _cell(number: int, key: str, values, formulas, mapping, problems) -> str | None:
    """The cell's text; None for a formula whose value was never saved (a problem)."""
    position = mapping.get(key)
    if position is None or position >= len(values):
        return ""
    value = values[position]
    formula = formulas[position] if position < len(formulas) else None
    if value is None and isinstance(formula, str) and formula.startswith("="):
        problems.append(
            Problem(
                number,
                HEADER[key],
                _l(
                    "This cell holds a formula without a saved value; open the file "
                    "in Excel, save it, or paste the values instead of the formula."
                ),
            )
        )
        return None
    return cell_text(value)


def _read_row(number: int, values, formulas, mapping, problems) -> UnitRow | None:
    """One data row, or None for a blank row; its own problems go to `problems`."""
    cells = {c.key: _cell(number, c.key, values, formulas, mapping, problems) for c in COLUMNS}
    unsaved = {key for key, text in cells.items() if text is None}  # reported already
    fields = {key: text or "" for key, text in cells.items()}
    if not any(fields.values()) and not unsaved:
        return None

    def problem(key: str, message) -> None:
        problems.append(Problem(number, HEADER[key], message))

    for column in COLUMNS:
        length = len(fields[column.key])
        if length > column.max_length:
            problem(
                column.key,
                _l(
                    "Too long: %(n)s characters, at most %(limit)s.",
                    n=length,
                    limit=column.max_length,
                ),
            )
    if not fields["code"] and "code" not in unsaved:
        problem("code", _l("The unit code is missing."))
    if not fields["name"] and "name" not in unsaved:
        problem("name", _l("The unit name is missing."))
    population = _population(fields["population"], lambda m: problem("population", m))
    return UnitRow(
        number, fields["code"], fields["name"], fields["kind"], fields["parent"], population
    )


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


def _check_duplicate(row: UnitRow, seen: dict[str, int], problems) -> None:
    if not row.code:
        return
    if row.code in seen:
        problems.append(
            Problem(
                row.row,
                HEADER["code"],
                _l("Code %(code)s is also used on row %(row)s.", code=row.code, row=seen[row.code]),
            )
        )
    else:
        seen[row.code] = row.row


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
