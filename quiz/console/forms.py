"""Console forms (Flask-WTF: CSRF on every one). Times are typed in Viet Nam's local time."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from quiz.forms import Form
from quiz.models.contests import PRIZE_ORDER, CountingRule, PredictionReference, Visibility
from quiz.models.staff import Role
from quiz.scoring.ranking import RankKey
from quiz.web import MAX_ROW_ID

RANK_KEY_CHOICES = [
    SelectChoice("", _l("— none —")),
    SelectChoice(RankKey.CORRECT.value, _l("More correct answers")),
    SelectChoice(RankKey.TIME.value, _l("Less time used")),
    SelectChoice(RankKey.PREDICTION.value, _l("Smaller prediction error")),
    SelectChoice(RankKey.SUBMITTED.value, _l("Earlier submission")),
    SelectChoice(RankKey.STARTED.value, _l("Earlier start")),
]
VISIBILITY_CHOICES = [
    SelectChoice(Visibility.IMMEDIATELY.value, _l("Immediately")),
    SelectChoice(Visibility.AFTER_CLOSE.value, _l("After the round closes")),
    SelectChoice(Visibility.NEVER.value, _l("Never")),
]
COUNTING_CHOICES = [
    SelectChoice(CountingRule.BEST.value, _l("The best attempt")),
    SelectChoice(CountingRule.FIRST.value, _l("The first attempt")),
    SelectChoice(CountingRule.EARLIEST_FULL.value, _l("The earliest fully correct attempt")),
]
PREDICTION_CHOICES = [
    SelectChoice("", _l("No prediction question")),
    SelectChoice(
        PredictionReference.FULL_CORRECT_ENTRANTS.value, _l("Entrants answering everything right")
    ),
    SelectChoice(PredictionReference.ENTRANTS.value, _l("Entrants in the round")),
    SelectChoice(PredictionReference.ATTEMPTS.value, _l("Attempts in the round")),
]
ROLE_CHOICES = [
    SelectChoice(Role.ORGANIZER.value, _l("Organizer")),
    SelectChoice(Role.VIEWER.value, _l("Viewer (statistics only)")),
    SelectChoice(Role.ADMIN.value, _l("Administrator")),
]


class ContestForm(Form):
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=300)]
    )
    slug = StringField(
        _l("Address (letters, digits and dashes)"),
        validators=[
            DataRequired(_l("Enter an address.")),
            Length(max=80),
            Regexp(r"^[a-z0-9-]+$", message=_l("Use lower-case letters, digits and dashes.")),
        ],
    )
    owner_unit = SelectField(_l("Organizing unit"), coerce=int, validate_choice=True)
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    rules = TextAreaField(_l("Rules shown to entrants"), validators=[Length(max=20000)])
    key1 = SelectField(_l("Ranking: first key"), choices=RANK_KEY_CHOICES[1:])
    key2 = SelectField(_l("then"), choices=RANK_KEY_CHOICES)
    key3 = SelectField(_l("then"), choices=RANK_KEY_CHOICES)
    key4 = SelectField(_l("then"), choices=RANK_KEY_CHOICES)
    key5 = SelectField(_l("then"), choices=RANK_KEY_CHOICES)
    residents_only = BooleanField(_l("Only entrants from the organizing unit's area may win"))
    require_citizen_id = BooleanField(_l("Only entrants who gave a citizen ID may win"))
    one_prize_per_person = BooleanField(_l("One prize per person across rounds"))
    is_published = BooleanField(_l("Published (open to entrants)"))

    def ranking_order(self) -> list[str]:
        return [f.data for f in (self.key1, self.key2, self.key3, self.key4, self.key5) if f.data]


def _quotas(text: str) -> dict[str, int]:
    quotas: dict[str, int] = {}
    for line in re.split(r"[;\n]", text or ""):
        if not line.strip():
            continue
        topic, sep, count = line.rpartition(":")
        if not sep or not count.strip().isdigit() or not topic.strip():
            raise ValidationError(_l("Write one topic per line as “Topic: number”."))
        quotas[" ".join(topic.split())] = int(count)
    return quotas


def _prize_minimum(label) -> IntegerField:
    return IntegerField(label, validators=[Optional(), NumberRange(1, 200)])


class RoundForm(Form):
    number = IntegerField(_l("Round number"), validators=[DataRequired(), NumberRange(1, 999)])
    title = StringField(_l("Title"), validators=[Length(max=200)])
    starts_at = DateTimeLocalField(
        _l("Starts (local time)"),
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(_l("Enter the start time."))],
    )
    ends_at = DateTimeLocalField(
        _l("Ends (local time)"),
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(_l("Enter the end time."))],
    )
    bank = SelectField(_l("Question bank"), coerce=int)
    questions_per_attempt = IntegerField(
        _l("Questions per attempt"), validators=[DataRequired(), NumberRange(1, 200)]
    )
    time_limit_minutes = IntegerField(
        _l("Time limit in minutes (empty: none)"), validators=[Optional(), NumberRange(1, 24 * 60)]
    )
    topic_quotas = TextAreaField(_l("Questions per topic (one “Topic: number” per line)"))
    max_attempts = IntegerField(
        _l("Attempts per entrant (empty: unlimited)"), validators=[Optional(), NumberRange(1, 1000)]
    )
    counting_rule = SelectField(_l("Attempt that counts"), choices=COUNTING_CHOICES)
    show_score = SelectField(_l("Show score and rank"), choices=VISIBILITY_CHOICES)
    show_answers = SelectField(_l("Show correct answers"), choices=VISIBILITY_CHOICES)
    min_age = IntegerField(
        _l("Minimum age (empty: none)"), validators=[Optional(), NumberRange(1, 120)]
    )
    prediction_reference = SelectField(
        _l("Prediction question asks for"), choices=PREDICTION_CHOICES
    )
    prediction_prompt = TextAreaField(_l("Prediction question"), validators=[Length(max=1000)])
    prize_first = IntegerField(
        _l("First prizes"), default=1, validators=[Optional(), NumberRange(0, 1000)]
    )
    prize_second = IntegerField(
        _l("Second prizes"), default=2, validators=[Optional(), NumberRange(0, 1000)]
    )
    prize_third = IntegerField(
        _l("Third prizes"), default=3, validators=[Optional(), NumberRange(0, 1000)]
    )
    prize_consolation = IntegerField(
        _l("Consolation prizes"), default=5, validators=[Optional(), NumberRange(0, 10000)]
    )

    prize_min_first = _prize_minimum(
        _l("Fewest correct answers for a first prize (empty: no minimum)")
    )
    prize_min_second = _prize_minimum(
        _l("Fewest correct answers for a second prize (empty: no minimum)")
    )
    prize_min_third = _prize_minimum(
        _l("Fewest correct answers for a third prize (empty: no minimum)")
    )
    prize_min_consolation = _prize_minimum(
        _l("Fewest correct answers for a consolation prize (empty: no minimum)")
    )
    certificate_min_correct = IntegerField(
        _l("Participation certificate from this many correct answers (0: everyone; empty: none)"),
        validators=[Optional(), NumberRange(0, 200)],
    )

    def validate_topic_quotas(self, field) -> None:
        # A request without the field gets the round's own quotas back from WTForms (a dict).
        data = field.data
        self.quotas = dict(data) if isinstance(data, dict) else _quotas(data)

    def prize_minimums(self) -> dict[str, int]:
        """Only the prizes given a minimum: an empty field means none."""
        fields = {name: getattr(self, f"prize_min_{name}").data for name in PRIZE_ORDER}
        return {name: value for name, value in fields.items() if value}

    def prizes(self) -> dict[str, int]:
        return {name: getattr(self, f"prize_{name}").data or 0 for name in PRIZE_ORDER}


class BankForm(Form):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Letters, digits, - _ . only.")),
        ],
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    owner_unit = SelectField(_l("Owner unit"), coerce=int)


class UploadForm(Form):
    file = FileField(_l("Excel file (.xlsx)"), validators=[FileRequired(_l("Choose a file."))])


class ConfirmForm(Form):
    """A bare form: its CSRF token is what a confirm button needs."""


class ReasonForm(Form):
    entrant_id = IntegerField(validators=[DataRequired(), NumberRange(1, MAX_ROW_ID)])
    reason = StringField(
        _l("Reason"), validators=[DataRequired(_l("Give a reason.")), Length(max=500)]
    )


class StaffForm(Form):
    username = StringField(
        _l("Account name"),
        validators=[
            DataRequired(),
            Length(3, 60),
            Regexp(r"^[a-z0-9_.-]+$", message=_l("Lower-case letters, digits, - _ . only.")),
        ],
    )
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    unit = SelectField(_l("Unit"), coerce=int)
    password = PasswordField(
        _l("Password (at least 10 characters)"),
        validators=[Optional(), Length(10, 200, message=_l("At least 10 characters."))],
    )
    active = BooleanField(_l("Active"), default=True)
