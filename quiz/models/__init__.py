"""The data model, one module per aggregate. Models know nothing of HTTP."""

from quiz.models.attempts import Attempt, Score
from quiz.models.banks import Question, QuestionBank
from quiz.models.base import Base
from quiz.models.contests import Contest, CountingRule, PredictionReference, Round, Visibility
from quiz.models.entrants import Entrant, Gender, Occupation
from quiz.models.units import Unit

__all__ = [
    "Attempt",
    "Base",
    "Contest",
    "CountingRule",
    "Entrant",
    "Gender",
    "Occupation",
    "PredictionReference",
    "Question",
    "QuestionBank",
    "Round",
    "Score",
    "Unit",
    "Visibility",
]
