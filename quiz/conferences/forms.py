"""Forms of the conference console and of the attendee's pages (Flask-WTF: CSRF on all).

Every field says what it expects in its own words. WTForms' stock errors
("Not a valid choice.", "Number must be between 0 and 1440.") are generic,
English, and have no Vietnamese catalogue, so each field here carries one
translatable `invalid` sentence that replaces whatever WTForms would have
said; a required field names what is missing. Control characters (NUL
above all, which PostgreSQL refuses in text) are dropped from every input.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
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
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from quiz.contest.registration import GENDER_CHOICES, OCCUPATION_CHOICES
from quiz.forms import Form as BaseForm
from quiz.text import drop_control

LOCAL = "%Y-%m-%dT%H:%M"
FIRST_YEAR, LAST_YEAR = 2000, 2099


def _no_control(value):
    return drop_control(value) if isinstance(value, str) else value


class Form(BaseForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = (*unbound_field.kwargs.get("filters", ()), _no_control)
            return unbound_field.bind(form=form, **{**options, "filters": filters})


class _Worded:
    """A field whose every stock complaint is replaced by its own `invalid` sentence."""

    def __init__(self, label=None, validators=None, *, invalid, **kwargs) -> None:
        super().__init__(label, validators, **kwargs)
        self.invalid = invalid

    def gettext(self, string) -> str:
        return str(self.invalid)

    def ngettext(self, singular, plural, n) -> str:
        return str(self.invalid)

    def post_validate(self, form, validation_stopped) -> None:
        self.errors = list(dict.fromkeys(self.errors))  # said once, however many checks failed


class Text(_Worded, StringField):
    pass


class Area(_Worded, TextAreaField):
    pass


class Number(_Worded, IntegerField):
    pass


class Choice(_Worded, SelectField):
    pass


class Day(_Worded, DateField):
    pass


class Upload(_Worded, FileField):
    pass


class LocalTime(_Worded, DateTimeLocalField):
    """A wall-clock time in Viet Nam, typed or picked; required, in a plausible year."""

    def __init__(self, label, *, required, **kwargs) -> None:
        super().__init__(
            label,
            [InputRequired(required), _plausible_year],
            format=LOCAL,
            invalid=_l("Enter a date and a time (day, month, year, hour and minute)."),
            **kwargs,
        )


def _plausible_year(form, field) -> None:
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(
            _l(
                "Enter a date between the years %(first)s and %(last)s.",
                first=FIRST_YEAR,
                last=LAST_YEAR,
            )
        )


_PHONE_CHARACTERS = re.compile(r"^[0-9 +().-]*$")


def _phone_characters(form, field) -> None:
    if field.data and not _PHONE_CHARACTERS.match(field.data):
        raise ValidationError(field.invalid)


MINUTES = _l("Enter a whole number of minutes from 0 to 1440 (one day).")
POSITION = _l("A position has at most 200 characters.")
UNIT_NAME = _l("A unit name has at most 200 characters.")


class ConferenceForm(Form):
    title = Text(
        _l("Title"),
        [DataRequired(_l("Enter the conference's title.")), Length(max=300)],
        invalid=_l("A title has at most 300 characters."),
    )
    owner_unit = Choice(
        _l("Organizing unit"), coerce=int, invalid=_l("Choose the organizing unit from the list.")
    )
    agenda = Area(
        _l("Agenda"), [Length(max=20000)], invalid=_l("The agenda has at most 20,000 characters.")
    )
    venue = Text(_l("Venue"), [Length(max=300)], invalid=_l("A venue has at most 300 characters."))
    starts_at = LocalTime(
        _l("Starts (local time)"), required=_l("Enter when the conference starts.")
    )
    ends_at = LocalTime(_l("Ends (local time)"), required=_l("Enter when the conference ends."))
    allow_walk_ins = BooleanField(_l("People not on the list may register at the door"))
    round = Choice(
        _l("Quiz taken after the session"),
        coerce=int,
        default=0,
        invalid=_l("Choose a round from the list, or none."),
    )
    checkin_opens_minutes = Number(
        _l("Check-in opens this many minutes before each session"),
        [NumberRange(0, 24 * 60)],
        default=60,
        invalid=MINUTES,
    )
    late_after_minutes = Number(
        _l("Late after this many minutes"), [NumberRange(0, 24 * 60)], default=10, invalid=MINUTES
    )


class SessionForm(Form):
    title = Text(
        _l("Session"),
        [DataRequired(_l("Give the session a title.")), Length(max=200)],
        invalid=_l("A session title has at most 200 characters."),
    )
    starts_at = LocalTime(_l("Starts (local time)"), required=_l("Enter when the session starts."))
    ends_at = LocalTime(_l("Ends (local time)"), required=_l("Enter when the session ends."))


class PointForm(Form):
    name = Text(
        _l("Connection point"),
        [DataRequired(_l("Give the connection point a name.")), Length(max=200)],
        invalid=_l("A connection point's name has at most 200 characters."),
    )
    unit = Choice(
        _l("Unit"),
        coerce=int,
        default=0,
        invalid=_l("Choose the point's unit from the list, or none."),
    )
    expected = Number(
        _l("Expected delegates"),
        [Optional(), NumberRange(0, 100000)],
        default=0,
        invalid=_l("Expected delegates: a whole number from 0 to 100,000."),
    )
    contact_name = Text(
        _l("Contact person"),
        [Length(max=100)],
        invalid=_l("The contact's name has at most 100 characters."),
    )
    contact_phone = Text(
        _l("Contact phone"),
        [Length(max=20), _phone_characters],
        invalid=_l("A contact phone has at most 20 characters: digits, spaces and + ( ) . -"),
    )


class DelegateForm(Form):
    """The name and phone are checked by the entrant rules (`quiz.contest.identity`)."""

    full_name = Text(_l("Full name"), invalid=_l("Enter the delegate's full name."))
    position = Text(_l("Position"), [Length(max=200)], invalid=POSITION)
    unit_name = Text(_l("Unit"), [Length(max=200)], invalid=UNIT_NAME)
    phone = Text(_l("Mobile phone number"), invalid=_l("Enter a mobile phone number."))
    point = Choice(
        _l("Connection point"),
        coerce=int,
        default=0,
        invalid=_l("Choose a connection point from the list, or none."),
    )


class DocumentForm(Form):
    title = Text(
        _l("Title"), [Length(max=200)], invalid=_l("A document title has at most 200 characters.")
    )
    file = Upload(
        _l("File (PDF, DOCX or XLSX, up to 20 MB)"),
        [FileRequired(_l("Choose a file to upload."))],
        invalid=_l("Choose a file to upload."),
    )


class PeriodForm(Form):
    class Meta:
        csrf = False  # a GET form: it only reads

    first = Day(_l("From"), [InputRequired()], invalid=_l("Enter the first day of the period."))
    last = Day(_l("To"), [InputRequired()], invalid=_l("Enter the last day of the period."))


class CodeForm(Form):
    code = StringField(_l("Code shown on the screen"))


class PhoneForm(Form):
    phone = StringField(_l("Mobile phone number"))


class PickForm(Form):
    """A name picked from the search, and the proof (checked in `name_pick`)."""

    digits = StringField(_l("Last 4 digits of your phone number"))


class WalkInForm(Form):
    """The name and phone are checked by the entrant rules (`quiz.contest.identity`)."""

    full_name = StringField(_l("Full name"))
    phone = StringField(_l("Mobile phone number"))
    position = Text(_l("Position"), [Length(max=200)], invalid=POSITION)
    unit_name = Text(_l("Unit"), [Length(max=200)], invalid=UNIT_NAME)


class QuizEntryForm(Form):
    """What the contest needs that the delegate list may lack (checked in `entrant_for`)."""

    phone = StringField(_l("Mobile phone number"))
    birth_year = StringField(_l("Year of birth"))
    gender = RadioField(_l("Gender"), choices=GENDER_CHOICES, validate_choice=False)
    occupation = SelectField(_l("Occupation"), choices=OCCUPATION_CHOICES, validate_choice=False)
    consent = BooleanField(
        _l("I agree that the organizers process these details to run the contest.")
    )
