"""Reading a question bank workbook into questions and a list of every problem.

Forgiving where a person would be (extra spaces, "b", "B.", "Đáp án B",
decomposed Vietnamese, blank rows, extra columns, a title row above the
header), strict where a mistake would reach entrants. Nothing is written:
the importer takes the result only when the problem list is empty. The
workbook itself is read by `quiz.spreadsheets`; this module parses rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from quiz.banks.spec import CHOICE_KEYS, CHOICE_LETTERS, DIFFICULTY_ALIASES, SPEC
from quiz.spreadsheets import Problem, Report, Row, read_workbook
from quiz.text import fold, text_key

__all__ = ["ParsedQuestion", "Problem", "ReadResult", "parse_correct", "read_bank"]


@dataclass(slots=True)  # thousands of them are held at once
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
class ReadResult(Report[ParsedQuestion]):
    @property
    def questions(self) -> list[ParsedQuestion]:
        return self.rows


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


def read_bank(data: bytes, existing: dict[str, str] | None = None) -> ReadResult:
    """Parse a workbook. `existing` maps text keys of the bank's current questions to codes.

    Raises FileRefused for a file that cannot be read at all.
    """
    return read_workbook(data, SPEC, _QuestionRows(existing or {}), ReadResult())


class _QuestionRows:
    """The row parser: what earlier rows and the bank hold, for duplicates."""

    def __init__(self, existing: dict[str, str]) -> None:
        self.existing = existing
        self.seen_keys: dict[str, int] = {}
        self.seen_codes: dict[str, int] = {}

    def __call__(self, row: Row) -> ParsedQuestion | None:
        text, difficulty = row["text"], 2
        if not text and "text" not in row.unsaved:
            row.problem("text", _l("The question is missing."))
        if not row["topic"] and "topic" not in row.unsaved:
            row.problem("topic", _l("The topic is missing."))
        if row["difficulty"]:
            difficulty = DIFFICULTY_ALIASES.get(fold(row["difficulty"]), 0)
            if not difficulty:
                row.problem("difficulty", _l("Difficulty must be Dễ, Trung bình or Khó."))
        choices = _choices(row)
        correct = _correct(row, choices)
        key = text_key(text) if text else ""
        self._check_unique(row, key)
        if row.has_problems:
            return None
        folded_choices = " | ".join(fold(c) for c in choices)
        return ParsedQuestion(
            row=row.number,
            code=row["code"] or f"Q{key[:10].upper()}",
            topic=row["topic"],
            difficulty=difficulty,
            text=text,
            choices=choices,
            correct=correct,
            explanation=row["explanation"],
            keep_choice_order=bool(_ORDER_BOUND.search(folded_choices)),
            text_key=key,
        )

    def _check_unique(self, row: Row, key: str) -> None:
        code = row["code"]
        if key:
            if key in self.seen_keys:
                row.problem(
                    "text", _l("The same question as row %(row)s.", row=self.seen_keys[key])
                )
            else:
                self.seen_keys[key] = row.number
            if key in self.existing and self.existing[key] != code:
                known = self.existing[key]
                row.problem(
                    "text", _l("The bank already has this question (code %(code)s).", code=known)
                )
        if code:
            if code in self.seen_codes:
                row.problem(
                    "code",
                    _l(
                        "Code %(code)s is also used on row %(row)s.",
                        code=code,
                        row=self.seen_codes[code],
                    ),
                )
            else:
                self.seen_codes[code] = row.number


def _choices(row: Row) -> list[str]:
    choices = []
    for letter, key in zip(CHOICE_LETTERS, CHOICE_KEYS, strict=True):
        value = row[key]
        match = _CHOICE_PREFIX.match(value)
        if match and match.group(1).upper() == letter:
            value = value[match.end() :]
        choices.append(value)
    while choices and not choices[-1]:
        choices.pop()
    if "" in choices:
        gap = CHOICE_LETTERS[choices.index("")]
        row.problem(
            f"choice_{gap}",
            _l(
                "Option %(letter)s is empty but a later option is filled; "
                "fill the options from A without gaps.",
                letter=gap,
            ),
        )
    if len(choices) < 2:
        row.problem("choice_B", _l("A question needs at least two options (A and B)."))
    return choices


def _correct(row: Row, choices: list[str]) -> list[int]:
    raw = row["correct"]
    if not raw:
        if "correct" not in row.unsaved:
            row.problem("correct", _l("The correct answer is missing."))
        return []
    correct, bad = parse_correct(raw, len(choices))
    if bad is not None:
        row.problem("correct", _l("“%(value)s” is not an option letter (A to F).", value=raw))
    elif not correct:
        row.problem("correct", _l("The correct answer is missing."))
    elif max(correct) >= len(choices):
        letters = ", ".join(CHOICE_LETTERS[i] for i in correct if i >= len(choices))
        row.problem(
            "correct",
            _l(
                "Correct answer %(letters)s is not among the options (A to %(last)s).",
                letters=letters,
                last=CHOICE_LETTERS[max(len(choices), 1) - 1],
            ),
        )
    return correct
