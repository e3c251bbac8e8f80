"""Reading a survey workbook into sections, questions and options, with every problem.

Rows are read in order: a section row opens a section, a question row a
question (in the current section, or in an untitled first one), and the
option and grid-row rows below a question belong to it. Forgiving where a
person would be (kind names without diacritics, option values left blank,
a condition naming an option by its label); strict where a mistake would
reach respondents (a choice question without options, a condition on a
question that comes later, two questions with one code). Nothing is
written: the importer takes the survey only when the problem list is empty.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from quiz.spreadsheets import Problem, Row, cell_text, read_workbook
from quiz.spreadsheets.problems import too_long
from quiz.surveys.sheet_spec import (
    CHOICE_KINDS,
    COLUMNS,
    HEADER,
    KIND_ALIASES,
    KIND_NAMES,
    NO_WORDS,
    SPEC,
    WITH_OPTIONS,
    YES_WORDS,
    SheetOption,
    SheetQuestion,
    SheetSection,
    SurveyReadResult,
)
from quiz.text import fold

__all__ = ["read_survey_rows", "read_survey_sheet"]

_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,20}$")  # as long as the model keeps
_THOUSANDS = re.compile(r"^-?\d{1,3}([.,]\d{3})+$")
_DECIMAL = re.compile(r"^-?\d+([.,]\d+)?$")
LABEL_CHARS = 300  # a section's title, an option's label (the text column allows more)
LIMITS = {c.key: c.max_length for c in COLUMNS}
QUESTION_ONLY = ("required", "max_choices", "allow_other", "min_value", "max_value")


def read_survey_sheet(data: bytes) -> SurveyReadResult:
    """Parse a workbook into a survey (`result.survey`). Raises FileRefused."""
    rows = _SurveyRows()
    result = read_workbook(data, SPEC, rows, SurveyReadResult())
    rows.finish(result)
    result.survey.sections = rows.sections
    return result


def read_survey_rows(lines: list[dict[str, str]]) -> SurveyReadResult:
    """The console's table of rows, checked by the very rules of the sheet.

    Row n of the result is the n-th line of the table (blank lines keep
    their number), so problems point at what the organizer sees.
    """
    rows = _SurveyRows()
    result = SurveyReadResult()
    for number, line in enumerate(lines, start=1):
        fields, lengths = {}, {}
        for column in COLUMNS:
            text = cell_text(line.get(column.key) or "")
            if column.max_length and len(text) > column.max_length:
                lengths[column.key], text = len(text), text[: column.max_length]
            fields[column.key] = text
        if not any(fields.values()):
            continue
        row = Row(number, fields, set(), lengths, SPEC, result)
        for key, length in lengths.items():
            row.problem(key, too_long(length, LIMITS[key]))
        item = rows(row)
        if item is not None:
            result.rows.append(item)
    rows.finish(result)
    result.survey.sections = rows.sections
    if not result.rows and not result.problems:
        result.problems.append(Problem(None, None, SPEC.empty()))
    return result


def parse_number(text: str) -> float | None:
    """'12' → 12.0, '2,5' and '2.5' → 2.5, '1.000' → 1000.0; None if not a number."""
    text = text.replace(" ", "")
    if _THOUSANDS.match(text):
        return float(re.sub(r"[.,]", "", text))
    if _DECIMAL.match(text):
        return float(text.replace(",", "."))
    return None


class _SurveyRows:
    """The row parser: the sections so far, the open question, the codes seen."""

    def __init__(self) -> None:
        self.sections: list[SheetSection] = []
        self.question: SheetQuestion | None = None
        self.codes: dict[str, SheetQuestion] = {}
        self.problems: list[Problem] = []  # found when a question closes

    def __call__(self, row: Row) -> object | None:
        kind = KIND_ALIASES.get(" ".join(fold(row["kind"]).split()))
        if kind is None:
            if "kind" not in row.unsaved:
                row.problem("kind", _unknown_kind(row["kind"]))
            return None
        if not row["text"] and "text" not in row.unsaved:
            row.problem("text", _l("The text is missing."))
        elif kind in ("section", "option", "row") and len(row["text"]) > LABEL_CHARS:
            row.problem("text", too_long(len(row["text"]), LABEL_CHARS))
        if kind == "section":
            return self._section(row)
        if kind in ("option", "row"):
            return self._option(row, kind)
        return self._question(row, kind)

    # --- the three kinds of row ----------------------------------------------

    def _section(self, row: Row) -> SheetSection | None:
        self._close()
        _not_for(row, QUESTION_ONLY, _l("A section has no such setting."))
        code, value = self._condition(row)
        if row.has_problems:
            return None
        section = SheetSection(row["text"], code, value, row=row.number)
        self.sections.append(section)
        return section

    def _question(self, row: Row, kind: str) -> SheetQuestion | None:
        self._close()
        code = row["code"]
        if not code:
            row.problem("code", _l("A question needs a code (Q1, Q2...)."))
        elif not _CODE.match(code):
            row.problem("code", _l("A code has letters, digits, “.”, “-” or “_” only."))
        elif code.casefold() in self.codes:
            first = self.codes[code.casefold()].row
            row.problem(
                "code", _l("Code %(code)s is also used on row %(row)s.", code=code, row=first)
            )
        question = SheetQuestion(code, kind, row["text"], row=row.number)
        question.required = _yes_no(row, "required")
        question.allow_other = _yes_no(row, "allow_other")
        if question.allow_other and kind not in ("single", "multiple"):
            row.problem("allow_other", _l("Only choice questions can have “Other”."))
        question.max_choices = _whole(row, "max_choices", kind == "multiple")
        question.min_value = _bound(row, "min_value", kind == "number")
        question.max_value = _bound(row, "max_value", kind == "number")
        low, high = question.min_value, question.max_value
        if low is not None and high is not None and low > high:
            row.problem("max_value", _l("The largest value is below the smallest."))
        question.show_if_code, question.show_if_value = self._condition(row)
        if code and code.casefold() not in self.codes:
            self.codes[code.casefold()] = question
        self.question = question  # its options are checked even if it has problems
        if row.has_problems:
            return None
        if not self.sections:
            self.sections.append(SheetSection("", row=row.number))
        self.sections[-1].questions.append(question)
        return question

    def _option(self, row: Row, kind: str) -> SheetOption | None:
        _not_for(row, QUESTION_ONLY, _l("An option has no such setting."))
        _not_for(row, ("show_if_code", "show_if_value"), _l("Conditions go on questions."))
        question = self.question
        if question is None or question.kind not in WITH_OPTIONS:
            row.problem(
                "kind", _l("Options and rows go right below a choice, scale or grid question.")
            )
            return None
        if kind == "row" and question.kind != "grid":
            row.problem("kind", _l("Only a grid question has rows."))
            return None
        role = (
            "row"
            if kind == "row"
            else ("option" if question.kind in ("single", "multiple") else "point")
        )
        siblings = [o for o in question.options if o.role == role]
        value = row["code"] or str(len(siblings) + 1)
        if any(o.value.casefold() == value.casefold() for o in siblings):
            row.problem("code", _l("Value %(value)s is used twice in this question.", value=value))
        if row.has_problems:
            return None
        option = SheetOption(value, row["text"], role, row=row.number)
        question.options.append(option)
        return option

    # --- checks spanning rows ------------------------------------------------

    def _condition(self, row: Row) -> tuple[str, str]:
        """(question code, option value) of a "show if", checked against earlier questions."""
        code, value = row["show_if_code"], row["show_if_value"]
        if not code and not value:
            return "", ""
        if not code or not value:
            missing = "show_if_value" if code else "show_if_code"
            row.problem(missing, _l("A condition needs both a question and an answer."))
            return "", ""
        target = self.codes.get(code.casefold())
        if target is None:
            row.problem("show_if_code", _l("No question above has code %(code)s.", code=code))
            return "", ""
        if target.kind not in CHOICE_KINDS:
            row.problem("show_if_code", _l("A condition must name a choice or scale question."))
            return "", ""
        for option in target.options:
            if fold(value) in (fold(option.value), fold(option.label)):
                return target.code, option.value
        row.problem(
            "show_if_value",
            _l("Question %(code)s has no answer “%(value)s”.", code=target.code, value=value),
        )
        return "", ""

    def _close(self) -> None:
        """Check the question whose options have all been read."""
        question, self.question = self.question, None
        if question is None or question.kind not in WITH_OPTIONS:
            return
        choices = [o for o in question.options if o.role != "row"]
        if len(choices) < 2:
            self._problem(
                question, "kind", _l("This question needs at least two options below it.")
            )
        if question.kind == "grid" and not any(o.role == "row" for o in question.options):
            self._problem(question, "kind", _l("A grid needs at least one row below it."))
        if question.max_choices is not None and question.max_choices > len(choices):
            self._problem(
                question,
                "max_choices",
                _l("More than the %(n)s options there are.", n=len(choices)),
            )

    def _problem(self, question: SheetQuestion, key: str, message) -> None:
        self.problems.append(Problem(question.row, HEADER[key], message))

    def finish(self, result: SurveyReadResult) -> None:
        self._close()
        for problem in self.problems:
            result.problems.append(
                Problem(problem.row, problem.column, problem.message, result.sheet)
            )
        if result.rows and not any(s.questions for s in self.sections) and not result.problems:
            result.problems.append(
                Problem(None, None, _l("The sheet has no questions."), result.sheet)
            )


def _unknown_kind(raw: str):
    if not raw:
        return _l("The kind of row is missing.")
    names = ", ".join(KIND_NAMES.values())
    return _l("“%(value)s” is not a kind of row (%(names)s).", value=raw, names=names)


def _not_for(row: Row, keys: tuple[str, ...], message) -> None:
    for key in keys:
        if row[key] and fold(row[key]) not in NO_WORDS:
            row.problem(key, message)


def _yes_no(row: Row, key: str) -> bool:
    word = fold(row[key]).strip()
    if word in YES_WORDS:
        return True
    if word not in NO_WORDS:
        row.problem(key, _l("Write Có or Không."))
    return False


def _whole(row: Row, key: str, allowed: bool) -> int | None:
    if not row[key]:
        return None
    if not allowed:
        row.problem(key, _l("Only a multiple-choice question has a maximum of choices."))
        return None
    number = parse_number(row[key])
    if number is None or not number.is_integer() or number < 1:
        row.problem(key, _l("A whole number from 1 up."))
        return None
    return int(number)


def _bound(row: Row, key: str, allowed: bool) -> float | None:
    if not row[key]:
        return None
    if not allowed:
        row.problem(key, _l("Only a number question has bounds."))
        return None
    number = parse_number(row[key])
    if number is None:
        row.problem(key, _l("“%(value)s” is not a number.", value=row[key]))
    return number
