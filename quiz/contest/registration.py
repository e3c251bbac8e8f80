"""The entrant's forms: registering, and signing in again by phone and year of birth.

They check and canonicalise what was typed; what a phone then yields (a new
entrant, or an existing one left unchanged) is decided in one place,
`quiz.contest.identity_rule`, for these forms and every other path.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectChoice, SelectField, StringField

from quiz.contest.identity import (
    InvalidField,
    check_birth_year,
    normalize_citizen_id,
    normalize_name,
    normalize_phone,
)
from quiz.forms import Form
from quiz.models import Gender, Occupation
from quiz.text import squash
from quiz.timeutil import local, utcnow

OTHER_UNIT = "other"

GENDER_CHOICES = [
    SelectChoice(Gender.MALE.value, _l("Male")),
    SelectChoice(Gender.FEMALE.value, _l("Female")),
    SelectChoice(Gender.OTHER.value, _l("Other")),
]
OCCUPATION_CHOICES = [
    SelectChoice("", _l("— choose —")),
    SelectChoice(Occupation.OFFICIAL.value, _l("Cadre, civil servant, public employee")),
    SelectChoice(Occupation.ARMED_FORCES.value, _l("Armed forces")),
    SelectChoice(Occupation.STUDENT.value, _l("Pupil or student")),
    SelectChoice(Occupation.FARMER.value, _l("Farmer")),
    SelectChoice(Occupation.WORKER.value, _l("Worker")),
    SelectChoice(Occupation.BUSINESS.value, _l("Business owner or self-employed")),
    SelectChoice(Occupation.RETIRED.value, _l("Retired")),
    SelectChoice(Occupation.OTHER.value, _l("Other")),
]


def choice_labels(choices: list[SelectChoice]) -> dict[str, str]:
    """Stored value → its label in the current locale (the blank "choose" prompt left out):
    how a stored gender or occupation reads anywhere outside the form."""
    return {c.value: str(c.label) for c in choices if c.value}


def current_year() -> int:
    return local(utcnow()).year


def _checked(field, check):
    """Run a canonicalising check; keep the canonical value or the message."""
    try:
        return check()
    except InvalidField as exc:
        field.errors.append(exc.message)
        return None


class RegistrationForm(Form):
    full_name = StringField(_l("Full name"))
    birth_year = StringField(_l("Year of birth"))
    gender = RadioField(_l("Gender"), choices=GENDER_CHOICES, validate_choice=False)
    phone = StringField(_l("Mobile phone number"))
    citizen_id = StringField(_l("Citizen ID (CCCD, optional)"))
    unit = SelectField(_l("Unit (commune, district or agency)"), validate_choice=False)
    unit_other = StringField(_l("Your unit, if it is not in the list"))
    occupation = SelectField(_l("Occupation"), choices=OCCUPATION_CHOICES, validate_choice=False)
    consent = BooleanField(
        _l("I agree that the organizers process these details to run the contest.")
    )

    def clean(self, unit_ids: set[int]) -> dict | None:
        """Validate every field; return canonical values, or None with errors set."""
        for field in self:
            field.errors = list(field.errors or [])
        data = {
            "full_name": _checked(self.full_name, lambda: normalize_name(self.full_name.data)),
            "birth_year": _checked(
                self.birth_year, lambda: check_birth_year(self.birth_year.data, current_year())
            ),
            "phone": _checked(self.phone, lambda: normalize_phone(self.phone.data)),
        }
        gender = self.gender.data
        if gender not in {g.value for g in Gender}:
            self.gender.errors.append(_l("Please choose a gender."))
            gender = None
        data["gender"] = gender
        data["citizen_id"] = _checked(
            self.citizen_id,
            lambda: normalize_citizen_id(self.citizen_id.data, data["birth_year"], gender),
        )
        data.update(self._clean_unit(unit_ids))
        if self.occupation.data not in {o.value for o in Occupation}:
            self.occupation.errors.append(_l("Please choose an occupation group."))
        data["occupation"] = self.occupation.data
        if not self.consent.data:
            self.consent.errors.append(_l("You must agree before taking part."))
        if any(field.errors for field in self):
            return None
        return data

    def _clean_unit(self, unit_ids: set[int]) -> dict:
        raw = (self.unit.data or "").strip()
        if raw == OTHER_UNIT:
            other = squash(self.unit_other.data or "")
            if len(other) < 2:
                self.unit_other.errors.append(_l("Please write the name of your unit."))
            elif len(other) > 200:
                self.unit_other.errors.append(_l("A unit name has at most 200 characters."))
            return {"unit_id": None, "unit_other": other}
        if not raw:
            self.unit.errors.append(_l("Please choose your unit."))
        elif not raw.isdigit() or int(raw) not in unit_ids:
            self.unit.errors.append(_l("This unit is not in the list; please choose again."))
        else:
            return {"unit_id": int(raw), "unit_other": None}
        return {"unit_id": None, "unit_other": None}


class ReturningForm(Form):
    phone = StringField(_l("Mobile phone number"))
    birth_year = StringField(_l("Year of birth"))

    def clean(self) -> tuple[str, int] | None:
        for field in self:
            field.errors = list(field.errors or [])
        phone = _checked(self.phone, lambda: normalize_phone(self.phone.data))
        year = _checked(
            self.birth_year, lambda: check_birth_year(self.birth_year.data, current_year())
        )
        if phone is None or year is None:
            return None
        return phone, year
