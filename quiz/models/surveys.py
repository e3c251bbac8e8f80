"""Surveys: questions in sections, who may answer, and the answers.

"Who answered" (`SurveyRespondent`) and "what was answered"
(`SurveyResponse`, `SurveyAnswer`) are separate tables with nothing joining
them: no foreign key either way, no shared time (both carry a date only),
and response ids that follow no respondent order (the worker writes each
batch of responses in shuffled order). One answer per person is enforced
on the respondent side (unique key per survey); an anonymous survey's
responses then hold no person, no exact time, no IP address and no device.
Identified surveys fill the `person_*` column of the audience, nothing else.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.models.base import Base, BigId, UTCDateTime, utcnow


class Audience(StrEnum):
    PUBLIC = "public"  # an open link: limits per device, bursts flagged
    REGISTERED = "registered"  # entrants, identified as for contests
    INVITED = "invited"  # single-use invitation codes imported from Excel
    DELEGATES = "delegates"  # a conference's delegates, after check-in


class QuestionKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    SCALE = "scale"
    GRID = "grid"
    NUMBER = "number"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    DATE = "date"


class OptionRole(StrEnum):
    OPTION = "option"  # a choice of a single or multiple question
    POINT = "point"  # a labelled point of a scale (or of a grid's shared scale)
    ROW = "row"  # a row of a grid


class Survey(Base):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    introduction: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    audience: Mapped[str] = mapped_column(String(20), default=Audience.PUBLIC)
    conference_id: Mapped[int | None] = mapped_column(ForeignKey("conferences.id"), index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    # Open links: responses one device may submit (cookie and device hash).
    per_device_limit: Mapped[int] = mapped_column(Integer, default=1)
    # Salts device hashes and invitation codes, so they differ per survey.
    salt: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    sections: Mapped[list[SurveySection]] = relationship(
        order_by="SurveySection.position", cascade="all, delete-orphan"
    )
    questions: Mapped[list[SurveyQuestion]] = relationship(
        order_by="SurveyQuestion.position", cascade="all, delete-orphan"
    )

    def is_open_at(self, moment: dt.datetime) -> bool:
        return self.opens_at <= moment < self.closes_at


class SurveySection(Base):
    """A page of questions; shown only if its condition holds (when it has one).

    `show_if_question_id` has no foreign key: sections and questions would
    then reference each other, which SQLite cannot create; the console and
    the template import check that it names a question of the same survey.
    """

    __tablename__ = "survey_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300), default="")
    show_if_question_id: Mapped[int | None] = mapped_column(Integer)
    show_if_value: Mapped[str | None] = mapped_column(String(40))

    questions: Mapped[list[SurveyQuestion]] = relationship(
        order_by="SurveyQuestion.position", viewonly=True
    )


class SurveyQuestion(Base):
    __tablename__ = "survey_questions"
    __table_args__ = (UniqueConstraint("survey_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("survey_sections.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    max_choices: Mapped[int | None] = mapped_column(Integer)
    allow_other: Mapped[bool] = mapped_column(Boolean, default=False)
    min_value: Mapped[float | None] = mapped_column(Float)
    max_value: Mapped[float | None] = mapped_column(Float)
    show_if_question_id: Mapped[int | None] = mapped_column(ForeignKey("survey_questions.id"))
    show_if_value: Mapped[str | None] = mapped_column(String(40))

    options: Mapped[list[SurveyOption]] = relationship(
        order_by="SurveyOption.position", cascade="all, delete-orphan"
    )


class SurveyOption(Base):
    """A choice, a scale point or a grid row; `value` is the code exports use."""

    __tablename__ = "survey_options"
    __table_args__ = (UniqueConstraint("question_id", "role", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    value: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(10), default=OptionRole.OPTION)


class SurveyTarget(Base):
    """The sample size wanted from a unit (responses against it give the rate)."""

    __tablename__ = "survey_targets"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    target: Mapped[int] = mapped_column(Integer)


class SurveyInvitation(Base):
    """A single-use invitation; only a hash of its code is stored."""

    __tablename__ = "survey_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    name: Mapped[str | None] = mapped_column(String(200))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class SurveyRespondent(Base):
    """Who answered: one row per person and survey, a date and nothing else.

    `key` is "entrant:<id>", "invitation:<id>", "delegate:<id>" or
    "device:<hash>" (open links); unique per survey, so a second response by
    the same person cannot be stored even if Redis's check were bypassed.
    """

    __tablename__ = "survey_respondents"
    __table_args__ = (UniqueConstraint("survey_id", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    key: Mapped[str] = mapped_column(String(80))
    answered_on: Mapped[dt.date] = mapped_column(Date)


class SurveyResponse(Base):
    """What was answered: a date, the unit and the filters, never an exact time."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    submitted_on: Mapped[dt.date] = mapped_column(Date)
    age_band: Mapped[str | None] = mapped_column(String(10))
    gender: Mapped[str | None] = mapped_column(String(10))
    occupation: Mapped[str | None] = mapped_column(String(20))
    # A burst of responses from one open link, for review (never removed silently).
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    # Identified surveys only: the person behind the response, by audience.
    person_entrant_id: Mapped[int | None] = mapped_column(ForeignKey("entrants.id"))
    person_delegate_id: Mapped[int | None] = mapped_column(ForeignKey("conference_delegates.id"))
    person_invitation_id: Mapped[int | None] = mapped_column(ForeignKey("survey_invitations.id"))

    answers: Mapped[list[SurveyAnswer]] = relationship(viewonly=True)


class SurveyAnswer(Base):
    """One value: a chosen option (a grid's per row), a number, a text or a date.

    A multiple-choice answer is one row per option chosen; "other, please
    specify" is a row with `text` and no option.
    """

    __tablename__ = "survey_answers"
    __table_args__ = (Index("ix_survey_answers_question_option", "question_id", "option_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    response_id: Mapped[int] = mapped_column(BigId, ForeignKey("survey_responses.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id"))
    row_option_id: Mapped[int | None] = mapped_column(ForeignKey("survey_options.id"))
    option_id: Mapped[int | None] = mapped_column(ForeignKey("survey_options.id"))
    number: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(Text)
    date: Mapped[dt.date | None] = mapped_column(Date)
