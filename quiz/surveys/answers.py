"""What a respondent's form means: one parser for the draft save, the submit and the fast path.

A form field names a question: `q<id>` (the choice, number, text or date),
`q<id>_other` ("other, please specify"), `q<id>_r<row id>` (a grid's row).
Each field is parsed to a canonical text on its own (so a save is checked
alone), and a submit is then checked as a whole: conditions decide which
questions are shown, only shown questions count, and a shown required
question must be answered. Messages are precise and in the respondent's
language; nothing here touches the database or Redis.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from quiz.models.surveys import QuestionKind
from quiz.surveys.structure import Condition, QuestionInfo, SurveyInfo

FIELD = re.compile(r"^q(\d{1,10})(?:_(other)|_r(\d{1,10}))?$")
OTHER = "other"
MAX_TEXT = {QuestionKind.SHORT_TEXT: 300, QuestionKind.LONG_TEXT: 4000}
MAX_OTHER = 300


class AnswerProblem(ValueError):
    """An answer that cannot be kept; `message` says what a valid one looks like."""

    def __init__(self, question_id: int, message) -> None:
        super().__init__(str(message))
        self.question_id = question_id
        self.message = message


@dataclass(frozen=True, slots=True)
class Row:
    """One value to store (SurveyAnswer's columns but the response)."""

    question_id: int
    option_id: int | None = None
    row_option_id: int | None = None
    number: float | None = None
    text: str | None = None
    date: date | None = None


Spec = tuple[QuestionInfo, str | None, int | None]  # (question, "other" or None, grid row id)


def _question(info: SurveyInfo, field: str) -> Spec:
    known = info.fields.get(field)
    if known is not None:
        return known
    match = FIELD.match(field or "")
    question = info.questions.get(int(match.group(1))) if match else None
    if question is None:
        raise AnswerProblem(0, _l("This survey has no such question. Reload the page."))
    row_id = int(match.group(3)) if match.group(3) else None
    if match.group(2) and not question.allow_other:
        raise AnswerProblem(question.id, _l("This question has no 'other' answer."))
    if row_id is not None and (
        question.kind != QuestionKind.GRID or row_id not in question.row_ids
    ):
        raise AnswerProblem(question.id, _l("This question has no such row."))
    if question.kind == QuestionKind.GRID and row_id is None:
        raise AnswerProblem(question.id, _l("Answer each row of the table."))
    return question, match.group(2), row_id


def _choices(question: QuestionInfo, values: list[str]) -> str:
    known = question.option_keys  # the options' ids, and "other" where it is allowed
    if len(values) == 1 and values[0] in known:
        picked = values  # the usual answer: one option's id, exactly as the page sends it
    else:
        picked = []
        for value in ",".join(values).split(","):
            value = value.strip()
            if not value:
                continue
            if value not in known:
                raise AnswerProblem(question.id, _l("Choose one of the options shown."))
            if value not in picked:
                picked.append(value)
    if question.kind != QuestionKind.MULTIPLE and len(picked) > 1:
        raise AnswerProblem(question.id, _l("Choose only one option."))
    if question.max_choices and len(picked) > question.max_choices:
        raise AnswerProblem(
            question.id, _l("Choose at most %(n)s options.", n=question.max_choices)
        )
    return ",".join(picked)


def _number(question: QuestionInfo, text: str) -> str:
    cleaned = text.strip().replace(" ", "")
    if not cleaned:
        return ""
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(".", "")
    cleaned = cleaned.replace(",", ".")
    try:
        number = float(cleaned)
    except ValueError:
        raise AnswerProblem(question.id, _l("Type a number, e.g. 12 or 3,5.")) from None
    if number != number or abs(number) > 1e12:  # NaN, or absurdly large
        raise AnswerProblem(question.id, _l("Type a number, e.g. 12 or 3,5."))
    low, high = question.min_value, question.max_value
    if (low is not None and number < low) or (high is not None and number > high):
        raise AnswerProblem(
            question.id,
            _l("Type a number from %(low)s to %(high)s.", low=_plain(low), high=_plain(high)),
        )
    return _plain(number)


def _plain(number: float | None) -> str:
    if number is None:
        return "…"
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def _date(question: QuestionInfo, text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    try:
        if re.match(r"^\d{4}-\d{2}-\d{2}$", text):
            return date.fromisoformat(text).isoformat()
        day, month, year = (int(part) for part in re.split(r"[/.\-]", text))
        return date(year, month, day).isoformat()
    except (ValueError, OverflowError):  # a year of twenty digits overflows
        raise AnswerProblem(
            question.id, _l("Type a date as day/month/year, e.g. 25/12/2026.")
        ) from None


def _text(question: QuestionInfo, text: str, limit: int) -> str:
    text = text.replace("\x00", "").strip()
    if len(text) > limit:
        raise AnswerProblem(question.id, _l("At most %(n)s characters, please.", n=limit))
    return text


def parse_field(info: SurveyInfo, field: str, values: list[str]) -> str:
    """One field's canonical value ("" for no answer), or AnswerProblem."""
    return _value(*_question(info, field), values)


def _spec(info: SurveyInfo, field: str) -> Spec | None:
    """What a form field answers; None for a field that names no question (csrf_token, a
    button); AnswerProblem for a question field that this survey does not have."""
    known = info.fields.get(field)
    if known is None and FIELD.match(field):
        return _question(info, field)
    return known


def _value(question: QuestionInfo, other: str | None, row_id: int | None, values) -> str:
    first = values[0] if values else ""
    if other:
        return _text(question, first, MAX_OTHER)
    if row_id is not None:
        if first and first not in question.option_keys:
            raise AnswerProblem(question.id, _l("Choose one of the options shown."))
        return first
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.SCALE):
        return _choices(question, values)
    if question.kind == QuestionKind.NUMBER:
        return _number(question, first)
    if question.kind == QuestionKind.DATE:
        return _date(question, first)
    return _text(question, first, MAX_TEXT.get(question.kind, MAX_OTHER))


def form_fields(form: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """The question fields of a submitted form (csrf_token and buttons left out)."""
    return {name: list(values) for name, values in form.items() if FIELD.match(name)}


def parse_pairs(info: SurveyInfo, fields: Mapping[str, list[str]]) -> list[tuple[str, str]]:
    """(field, canonical value) of each question field of a save, or the first AnswerProblem."""
    pairs = []
    for field, values in fields.items():
        spec = _spec(info, field)
        if spec is not None:
            pairs.append((field, _value(*spec, values)))
    return pairs


Grouped = dict[int, list[tuple[str, str]]]  # a form's answered fields by question id


def parse_form(info: SurveyInfo, form: Mapping[str, list[str]]) -> tuple[dict, dict, Grouped]:
    """(canonical answers by field, problems by question id, the answers grouped by
    question) of a whole form, each field's name read once."""
    answers: dict[str, str] = {}
    problems: dict[int, object] = {}
    grouped: Grouped = {}
    picks = info.picks
    for field, values in form.items():
        pick = picks.get(field)
        if pick is not None and len(values) == 1 and values[0] in pick.option_keys:
            answers[field] = values[0]  # one of the options shown, kept as sent
            grouped.setdefault(pick.id, []).append((field, values[0]))
            continue
        try:
            spec = _spec(info, field)
            if spec is None:
                continue
            value = _value(*spec, values)
        except AnswerProblem as exc:
            problems.setdefault(exc.question_id, exc.message)
            continue
        if value:
            answers[field] = value
            grouped.setdefault(spec[0].id, []).append((field, value))
    return answers, problems, grouped


def _holds(info: SurveyInfo, condition: Condition | None, answers: Mapping[str, str]) -> bool:
    if condition is None:
        return True
    source = info.questions.get(condition.question_id)
    given = answers.get(f"q{condition.question_id}", "")
    if source is None or not given:
        return False
    wanted = condition.value.strip().casefold()
    if source.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.SCALE):
        for option_id in given.split(","):
            option = source.option(int(option_id)) if option_id.isdigit() else None
            if option and wanted in (option.value.casefold(), option.label.strip().casefold()):
                return True
        return False
    return given.casefold() == wanted


def _by_question(answers: Mapping[str, str]) -> dict[int, list[tuple[str, str]]]:
    """A form's fields grouped by the question they answer (q12, q12_other, q12_r5 → 12)."""
    grouped: dict[int, list[tuple[str, str]]] = {}
    for field, value in answers.items():
        match = FIELD.match(field)
        if match:
            grouped.setdefault(int(match.group(1)), []).append((field, value))
    return grouped


def shown_questions(info: SurveyInfo, answers: Mapping[str, str]) -> list[QuestionInfo]:
    """The questions this respondent is shown, in order: conditions hold, in sections shown.

    A condition on a question that is itself hidden does not hold, so
    hiding a question hides everything that depends on it.
    """
    return _shown(info, _by_question(answers))


def _shown(info: SurveyInfo, grouped: dict[int, list[tuple[str, str]]]) -> list[QuestionInfo]:
    shown: list[QuestionInfo] = []
    visible_answers: dict[str, str] = {}
    for section in info.sections:
        if section.condition is not None and not _holds(info, section.condition, visible_answers):
            continue
        for question_id in section.question_ids:
            question = info.questions[question_id]
            if question.condition is None or _holds(info, question.condition, visible_answers):
                shown.append(question)
                visible_answers.update(grouped.get(question.id, ()))
    return shown


def _missing(question: QuestionInfo, answers: Mapping[str, str]):
    if question.kind == QuestionKind.GRID:
        if any(not answers.get(row) for row in question.row_fields):
            return _l("Answer every row of this question.")
        return None
    value = answers.get(question.field, "")
    if not value:
        return _l("This question needs an answer.")
    if OTHER in value.split(",") and not answers.get(f"{question.field}_other"):
        return _l("Please specify your 'other' answer.")
    return None


def check_response(info: SurveyInfo, answers: Mapping[str, str]) -> dict[int, object]:
    """Problems that stop a submit: a shown required question left unanswered."""
    return settle(info, answers)[1]


def kept_answers(info: SurveyInfo, answers: Mapping[str, str]) -> dict[str, str]:
    """Only the answers of shown questions: a hidden question's answer is not kept."""
    return settle(info, answers)[0]


def settle(
    info: SurveyInfo, answers: Mapping[str, str], grouped: Grouped | None = None
) -> tuple[dict[str, str], dict]:
    """(the answers kept, the problems that stop a submit) of a whole form, from one pass
    over its fields (a submit of 30 questions reads each field once, not once per question).
    `grouped`: the answers by question as `parse_form` gives them, when at hand."""
    if grouped is None:
        grouped = _by_question(answers)
    kept: dict[str, str] = {}
    problems: dict[int, object] = {}
    for question in _shown(info, grouped):
        group = grouped.get(question.id)
        if group:
            kept.update(group)
        message = _missing(question, answers) if question.required else None
        if message is None and _other_unspecified(question, answers):
            message = _l("Please specify your 'other' answer.")
        if message is not None:
            problems[question.id] = message
    return kept, problems


def _other_unspecified(question: QuestionInfo, answers: Mapping[str, str]) -> bool:
    """'Other' is among the question's answers and its text field is blank."""
    value = answers.get(question.field, "")
    if OTHER not in value:
        return False
    return OTHER in value.split(",") and not answers.get(f"{question.field}_other")


def answer_rows(info: SurveyInfo, answers: Mapping[str, str]) -> list[Row]:
    """The values to store for a response's answers (already parsed and kept)."""
    rows: list[Row] = []
    for field, value in answers.items():
        match = FIELD.match(field)
        question = info.questions.get(int(match.group(1))) if match else None
        if question is None or not value:
            continue
        if match.group(2):
            rows.append(Row(question.id, text=value))
        elif match.group(3):
            rows.append(Row(question.id, option_id=int(value), row_option_id=int(match.group(3))))
        elif question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.SCALE):
            rows.extend(Row(question.id, option_id=int(v)) for v in value.split(",") if v != OTHER)
        elif question.kind == QuestionKind.NUMBER:
            rows.append(Row(question.id, number=float(value)))
        elif question.kind == QuestionKind.DATE:
            rows.append(Row(question.id, date=date.fromisoformat(value)))
        else:
            rows.append(Row(question.id, text=value))
    return rows
