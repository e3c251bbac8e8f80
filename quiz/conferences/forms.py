"""Forms of the conference console and of the attendee's pages (Flask-WTF: CSRF on all)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from quiz.contest.registration import GENDER_CHOICES, OCCUPATION_CHOICES

LOCAL = "%Y-%m-%dT%H:%M"


class ConferenceForm(FlaskForm):
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=300)]
    )
    owner_unit = SelectField(_l("Organizing unit"), coerce=int, validate_choice=True)
    agenda = TextAreaField(_l("Agenda"), validators=[Length(max=20000)])
    venue = StringField(_l("Venue"), validators=[Length(max=300)])
    starts_at = DateTimeLocalField(
        _l("Starts (local time)"), format=LOCAL, validators=[DataRequired()]
    )
    ends_at = DateTimeLocalField(_l("Ends (local time)"), format=LOCAL, validators=[DataRequired()])
    allow_walk_ins = BooleanField(_l("People not on the list may register at the door"))
    round = SelectField(_l("Quiz taken after the session"), coerce=int)
    checkin_opens_minutes = IntegerField(
        _l("Check-in opens this many minutes before each session"),
        default=60,
        validators=[NumberRange(0, 24 * 60)],
    )
    late_after_minutes = IntegerField(
        _l("Late after this many minutes"), default=10, validators=[NumberRange(0, 24 * 60)]
    )


class SessionForm(FlaskForm):
    title = StringField(_l("Session"), validators=[DataRequired(), Length(max=200)])
    starts_at = DateTimeLocalField(
        _l("Starts (local time)"), format=LOCAL, validators=[DataRequired()]
    )
    ends_at = DateTimeLocalField(_l("Ends (local time)"), format=LOCAL, validators=[DataRequired()])


class PointForm(FlaskForm):
    name = StringField(_l("Connection point"), validators=[DataRequired(), Length(max=200)])
    unit = SelectField(_l("Unit"), coerce=int, validate_choice=False)
    expected = IntegerField(
        _l("Expected delegates"), default=0, validators=[Optional(), NumberRange(0, 100000)]
    )
    contact_name = StringField(_l("Contact person"), validators=[Length(max=100)])
    contact_phone = StringField(_l("Contact phone"), validators=[Length(max=20)])


class DelegateForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired()])
    position = StringField(_l("Position"), validators=[Length(max=200)])
    unit_name = StringField(_l("Unit"), validators=[Length(max=200)])
    phone = StringField(_l("Mobile phone number"))
    point = SelectField(_l("Connection point"), coerce=int, validate_choice=False)


class DocumentForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Length(max=200)])
    file = FileField(
        _l("File (PDF, DOCX or XLSX, up to 20 MB)"),
        validators=[FileRequired(_l("Choose a file."))],
    )


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it only reads

    first = DateField(_l("From"), validators=[DataRequired()])
    last = DateField(_l("To"), validators=[DataRequired()])


class CodeForm(FlaskForm):
    code = StringField(_l("Code shown on the screen"))


class PhoneForm(FlaskForm):
    phone = StringField(_l("Mobile phone number"))


class WalkInForm(FlaskForm):
    full_name = StringField(_l("Full name"))
    phone = StringField(_l("Mobile phone number"))
    position = StringField(_l("Position"), validators=[Length(max=200)])
    unit_name = StringField(_l("Unit"), validators=[Length(max=200)])


class QuizEntryForm(FlaskForm):
    """What the contest needs that the delegate list may lack."""

    phone = StringField(_l("Mobile phone number"))
    birth_year = StringField(_l("Year of birth"))
    gender = RadioField(_l("Gender"), choices=GENDER_CHOICES, validate_choice=False)
    occupation = SelectField(_l("Occupation"), choices=OCCUPATION_CHOICES, validate_choice=False)
    consent = BooleanField(
        _l("I agree that the organizers process these details to run the contest.")
    )
