"""The data model, one module per aggregate. Models know nothing of HTTP."""

from quiz.models.attempts import Attempt, Score
from quiz.models.banks import Question, QuestionBank
from quiz.models.base import Base
from quiz.models.conferences import (
    CheckIn,
    CheckInMethod,
    Conference,
    ConferenceDocument,
    ConferenceSession,
    ConnectionPoint,
    Delegate,
    Reason,
    ScanRefusal,
)
from quiz.models.contests import Contest, CountingRule, PredictionReference, Round, Visibility
from quiz.models.entrants import Entrant, Gender, Occupation
from quiz.models.exports import ExportFile
from quiz.models.redis_state import LostAttempt, RedisLoss, RedisState
from quiz.models.results import Disqualification, Winner
from quiz.models.staff import AuditEvent, Role, Staff
from quiz.models.surveys import (
    Audience,
    OptionRole,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyOption,
    SurveyQuestion,
    SurveyRespondent,
    SurveyResponse,
    SurveySection,
    SurveyTarget,
)
from quiz.models.units import Unit

__all__ = [
    "Attempt",
    "AuditEvent",
    "Disqualification",
    "LostAttempt",
    "RedisLoss",
    "RedisState",
    "ExportFile",
    "Role",
    "Staff",
    "Winner",
    "Base",
    "CheckIn",
    "CheckInMethod",
    "Conference",
    "ConferenceDocument",
    "ConferenceSession",
    "ConnectionPoint",
    "Delegate",
    "Reason",
    "ScanRefusal",
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
    "Audience",
    "OptionRole",
    "QuestionKind",
    "Survey",
    "SurveyAnswer",
    "SurveyInvitation",
    "SurveyOption",
    "SurveyQuestion",
    "SurveyRespondent",
    "SurveyResponse",
    "SurveySection",
    "SurveyTarget",
]
