"""Reading a question bank workbook into questions and a list of every problem.

Forgiving where a person would be (extra spaces, "b", "B.", "Đáp án B",
decomposed Vietnamese, blank rows, extra columns, a title row above the
header), strict where a mistake would reach entrants. Nothing is written:
the importer takes the result only when the problem list is empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import zip_longest

from flask_babel import lazy_gettext as _l

from quiz.banks.spec import (
    CHOICE_KEYS,
    CHOICE_LETTERS,
    COLUMN_BY_KEY,
    COLUMNS,
    DATA_SHEET,
    DIFFICULTY_ALIASES,
    HEADER_SEARCH_ROWS,
    MAX_ROWS,
)
from quiz.banks.workbook import FileRefused, cell_text, has_formulas, open_xlsx
from quiz.text import fold, text_key


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str | None
    message: object  # a lazy string, rendered in the reader's language


@dataclass
class ParsedQuestion:
    row: int
    code: str
    topic: str
    difficulty: int
    text: str
    choices: list[str]
    correct: list[int]
    explanation: str
    keep_choice_order: bool
    text_key: str


@dataclass
class ReadResult:
    sheet: str = ""
    questions: list[ParsedQuestion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.questions)


# Options that point at other options only make sense in their printed order.
_ORDER_BOUND = re.compile(
    r"(tat ca|ca (hai|ba|bon)|cac (dap an|phuong an|y) tren|dap an tren|"
    r"\b[a-f] (va|hoac) [a-f]\b|all of the above|none of the above|both)"
)
_ANSWER_PREFIX = re.compile(r"^(dap an dung|dap an|phuong an|answer|correct)\s*[:.]?\s*")
_CHOICE_PREFIX = re.compile(r"^([A-Fa-f])\s*[.):]\s+")


def parse_correct(raw: str, n_choices: int) -> tuple[list[int], str | None]:
    """'Đáp án B' → [1]; 'a, c' → [0, 2]; 'AC' → [0, 2]; '2' → [1]."""
    text = _ANSWER_PREFIX.sub("", fold(raw).strip())
    tokens = [t.strip(" .):") for t in re.split(r"[,;/&+\s]+|\bva\b", text) if t.strip(" .):")]
    if len(tokens) == 1 and len(tokens[0]) > 1 and set(tokens[0]) <= set("abcdef"):
        tokens = list(tokens[0])
    picked: list[int] = []
    for part in tokens:
        if len(part) == 1 and part in "abcdef":
            picked.append("abcdef".index(part))
        elif part.isdigit() and 1 <= int(part) <= 6:
            picked.append(int(part) - 1)
        else:
            return [], part
    return sorted(set(picked)), None


def _find_header(rows: list[tuple]) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows):
        mapping: dict[str, int] = {}
        for position, value in enumerate(row):
            text = cell_text(value)
            if not text:
                continue
            for column in COLUMNS:
                if column.key not in mapping and column.matches(text):
                    mapping[column.key] = position
                    break
        if "text" in mapping and "correct" in mapping:
            return index, mapping
    return None


class _Row:
    def __init__(self, number: int, values: tuple, formulas: tuple | None, mapping) -> None:
        self.number = number
        self.values = values
        self.formulas = formulas
        self.mapping = mapping

    def get(self, key: str, problems: list[Problem]) -> str:
        position = self.mapping.get(key)
        if position is None or position >= len(self.values):
            return ""
        value = self.values[position]
        if value is None and self.formulas is not None and position < len(self.formulas):
            formula = self.formulas[position]
            if isinstance(formula, str) and formula.startswith("="):
                problems.append(
                    Problem(
                        self.number,
                        COLUMN_BY_KEY[key].header,
                        _l(
                            "This cell holds a formula without a saved value; open the file "
                            "in Excel, save it, or paste the values instead of the formula."
                        ),
                    )
                )
        return cell_text(value)


def _pick_sheet(workbook):
    if DATA_SHEET in workbook.sheetnames:
        return workbook[DATA_SHEET]
    for sheet in workbook.worksheets:
        rows = list(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True))
        if _find_header(rows):
            return sheet
    return None


def read_bank(data: bytes, existing: dict[str, str] | None = None) -> ReadResult:
    """Parse a workbook. `existing` maps text keys of the bank's current questions to codes.

    Raises FileRefused for a file that cannot be read at all.
    """
    values_book = open_xlsx(data, data_only=True)
    formulas_book = open_xlsx(data, data_only=False) if has_formulas(data) else None
    try:
        return _read(values_book, formulas_book, existing or {})
    finally:
        values_book.close()
        if formulas_book is not None:
            formulas_book.close()


def _read(values_book, formulas_book, existing: dict[str, str]) -> ReadResult:
    sheet = _pick_sheet(values_book)
    result = ReadResult()
    if sheet is None:
        result.problems.append(
            Problem(
                None,
                None,
                _l(
                    "No sheet has the header row of the template (columns “Câu hỏi” and "
                    "“Đáp án đúng”). Download the template and copy your questions into "
                    "its sheet “%(sheet)s”.",
                    sheet=DATA_SHEET,
                ),
            )
        )
        return result
    result.sheet = sheet.title
    if (sheet.max_row or 0) > MAX_ROWS + HEADER_SEARCH_ROWS:
        raise FileRefused(
            _l(
                "The file has more than %(n)s rows; split it into several files.",
                n=f"{MAX_ROWS:,}".replace(",", "."),
            )
        )
    head = list(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True))
    found = _find_header(head)
    if found is None:
        result.problems.append(
            Problem(
                None,
                None,
                _l(
                    "Sheet “%(sheet)s” has no header row with the columns “Câu hỏi” and "
                    "“Đáp án đúng” in its first %(n)s rows.",
                    sheet=sheet.title,
                    n=HEADER_SEARCH_ROWS,
                ),
            )
        )
        return result
    header_index, mapping = found
    missing = [c.header for c in COLUMNS if c.required and c.key not in mapping]
    missing += [] if {"choice_A", "choice_B"} <= set(mapping) else ["Đáp án A, Đáp án B"]
    if missing:
        result.problems.append(
            Problem(
                header_index + 1,
                None,
                _l("The header row lacks the columns: %(cols)s.", cols=", ".join(missing)),
            )
        )
        return result
    formula_rows = (
        formulas_book[sheet.title].iter_rows(min_row=header_index + 2, values_only=True)
        if formulas_book is not None
        else ()
    )
    value_rows = sheet.iter_rows(min_row=header_index + 2, values_only=True)
    seen_keys: dict[str, int] = {}
    seen_codes: dict[str, int] = {}
    for offset, (values, formulas) in enumerate(zip_longest(value_rows, formula_rows)):
        number = header_index + 2 + offset
        if offset >= MAX_ROWS:
            raise FileRefused(
                _l(
                    "The file has more than %(n)s rows; split it into several files.",
                    n=f"{MAX_ROWS:,}".replace(",", "."),
                )
            )
        row = _Row(number, values or (), formulas, mapping)
        question = _read_row(row, result.problems, seen_keys, seen_codes, existing)
        if question is not None:
            result.questions.append(question)
    if not result.questions and not result.problems:
        result.problems.append(Problem(None, None, _l("The sheet has no questions.")))
    return result


def _read_row(row: _Row, problems, seen_keys, seen_codes, existing) -> ParsedQuestion | None:
    before = len(problems)
    fields = {c.key: row.get(c.key, problems) for c in COLUMNS}
    if not any(fields.values()):
        return None  # a blank row
    header = {c.key: c.header for c in COLUMNS}

    def problem(key: str | None, message) -> None:
        problems.append(Problem(row.number, header.get(key) if key else None, message))

    for key, value in fields.items():
        limit = COLUMN_BY_KEY[key].max_length
        if len(value) > limit:
            problem(
                key, _l("Too long: %(n)s characters, at most %(limit)s.", n=len(value), limit=limit)
            )
    text = fields["text"]
    if not text:
        problem("text", _l("The question is missing."))
    if not fields["topic"]:
        problem("topic", _l("The topic is missing."))
    difficulty = 2
    if fields["difficulty"]:
        difficulty = DIFFICULTY_ALIASES.get(fold(fields["difficulty"]), 0)
        if not difficulty:
            problem("difficulty", _l("Difficulty must be Dễ, Trung bình or Khó."))
    choices = []
    for letter, key in zip(CHOICE_LETTERS, CHOICE_KEYS, strict=True):
        value = fields[key]
        match = _CHOICE_PREFIX.match(value)
        if match and match.group(1).upper() == letter:
            value = value[match.end() :]
        choices.append(value)
    while choices and not choices[-1]:
        choices.pop()
    if "" in choices:
        gap = CHOICE_LETTERS[choices.index("")]
        problem(
            f"choice_{gap}",
            _l(
                "Option %(letter)s is empty but a later option is filled; "
                "fill the options from A without gaps.",
                letter=gap,
            ),
        )
    if len(choices) < 2:
        problem("choice_B", _l("A question needs at least two options (A and B)."))
    correct: list[int] = []
    if not fields["correct"]:
        problem("correct", _l("The correct answer is missing."))
    else:
        correct, bad = parse_correct(fields["correct"], len(choices))
        if bad is not None:
            problem(
                "correct",
                _l("“%(value)s” is not an option letter (A to F).", value=fields["correct"]),
            )
        elif not correct:
            problem("correct", _l("The correct answer is missing."))
        elif max(correct) >= len(choices):
            letters = ", ".join(CHOICE_LETTERS[i] for i in correct if i >= len(choices))
            problem(
                "correct",
                _l(
                    "Correct answer %(letters)s is not among the options (A to %(last)s).",
                    letters=letters,
                    last=CHOICE_LETTERS[max(len(choices), 1) - 1],
                ),
            )
    code = fields["code"]
    key = text_key(text) if text else ""
    if text:
        if key in seen_keys:
            problem("text", _l("The same question as row %(row)s.", row=seen_keys[key]))
        else:
            seen_keys[key] = row.number
        if key in existing and existing[key] != code:
            problem(
                "text",
                _l("The bank already has this question (code %(code)s).", code=existing[key]),
            )
    if code:
        if code in seen_codes:
            problem(
                "code",
                _l("Code %(code)s is also used on row %(row)s.", code=code, row=seen_codes[code]),
            )
        else:
            seen_codes[code] = row.number
    if len(problems) > before:
        return None
    folded_choices = " | ".join(fold(c) for c in choices)
    return ParsedQuestion(
        row=row.number,
        code=code or f"Q{key[:10].upper()}",
        topic=fields["topic"],
        difficulty=difficulty,
        text=text,
        choices=choices,
        correct=correct,
        explanation=fields["explanation"],
        keep_choice_order=bool(_ORDER_BOUND.search(folded_choices)),
        text_key=key,
    )
