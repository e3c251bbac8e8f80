"""Forms of the survey console (Flask-WTF: CSRF on every one), in the conference forms' words."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Regexp

from quiz.conferences.forms import Area, Choice, Form, LocalTime, Number, Text
from quiz.models import Audience

AUDIENCE_CHOICES = [
    SelectChoice(Audience.PUBLIC.value, _l("Anyone with the link (a few answers per device)")),
    SelectChoice(Audience.REGISTERED.value, _l("Registered entrants (phone and year of birth)")),
    SelectChoice(Audience.INVITED.value, _l("People invited by a code (list imported from Excel)")),
    SelectChoice(Audience.DELEGATES.value, _l("Delegates of a conference, after check-in")),
]


class SurveyForm(Form):
    title = Text(
        _l("Title"),
        [DataRequired(_l("Enter the survey's title.")), Length(max=300)],
        invalid=_l("A title has at most 300 characters."),
    )
    slug = Text(
        _l("Address (letters, digits and dashes)"),
        [DataRequired(_l("Enter an address.")), Length(max=80), Regexp(r"^[a-z0-9-]+$")],
        invalid=_l("Use lower-case letters, digits and dashes (at most 80)."),
    )
    unit = Choice(_l("Organizing unit"), coerce=int, invalid=_l("Choose a unit from the list."))
    introduction = Area(
        _l("Introduction shown to respondents"),
        [Length(max=5000)],
        invalid=_l("The introduction has at most 5,000 characters."),
    )
    opens_at = LocalTime(_l("Opens (local time)"), required=_l("Enter when the survey opens."))
    closes_at = LocalTime(_l("Closes (local time)"), required=_l("Enter when the survey closes."))
    audience = Choice(
        _l("Who answers"), choices=AUDIENCE_CHOICES, invalid=_l("Choose who answers.")
    )
    conference = Choice(
        _l("Conference (for delegates)"),
        coerce=int,
        default=0,
        invalid=_l("Choose a conference from the list, or none."),
    )
    anonymous = BooleanField(_l("Anonymous: answers are kept without the person"), default=True)
    per_device_limit = Number(
        _l("Answers allowed per device (open link)"),
        [NumberRange(1, 20)],
        default=1,
        invalid=_l("Enter a whole number from 1 to 20."),
    )


class TargetsForm(Form):
    """One number field per unit is added by the view (`target-<unit id>`)."""
