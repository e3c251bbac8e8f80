"""The export kinds: which writer, whether it holds personal data, what it covers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from quiz.reports.exports import write_attempts, write_ranking, write_winners
from quiz.reports.stat_exports import (
    write_participation_days,
    write_participation_units,
    write_questions,
)
from quiz.reports.survey_exports import (
    write_survey_csv,
    write_survey_people,
    write_survey_responses,
)

# --- the kinds -----------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    writer: Callable[..., int]
    personal_data: bool
    params: tuple[str, ...]  # which of round_id / contest_id / survey_id it accepts
    file_label: str  # the start of the downloaded file's name
    extension: str = "xlsx"
    identified_only: bool = False  # names who answered: refused for an anonymous survey


KINDS: dict[str, Kind] = {
    "attempts": Kind(write_attempts, True, ("round_id",), "Các lượt thi"),
    "ranking": Kind(write_ranking, True, ("round_id", "contest_id"), "Xếp hạng"),
    "winners": Kind(write_winners, True, ("round_id",), "Danh sách đoạt giải"),
    "participation_units": Kind(
        write_participation_units, False, ("contest_id",), "Tham gia theo đơn vị"
    ),
    "participation_days": Kind(
        write_participation_days, False, ("contest_id",), "Tham gia theo ngày"
    ),
    "questions": Kind(write_questions, False, ("round_id",), "Thống kê câu hỏi"),
    # Every response of a survey, each with its unit, date, age band, gender and
    # occupation: the raw rows get round the results page's minimum group size
    # (quiz/reports/survey_privacy.py), so they are personal data even for an
    # anonymous survey -- editors only, and audited.
    "survey_responses": Kind(write_survey_responses, True, ("survey_id",), "Phiếu khảo sát"),
    "survey_csv": Kind(write_survey_csv, True, ("survey_id",), "Phiếu khảo sát", "csv"),
    # Identified surveys only (the writer refuses anonymous ones): who gave each response.
    "survey_people": Kind(
        write_survey_people,
        True,
        ("survey_id",),
        "Phiếu khảo sát kèm người trả lời",
        identified_only=True,
    ),
}
PERSONAL_KINDS = frozenset(k for k, spec in KINDS.items() if spec.personal_data)


def write_export(kind: str, params: dict, path: Path | str) -> int:
    """Write an export of `kind` for `params` ({"round_id": n}, {"contest_id": n}, ...)."""
    spec = KINDS[kind]
    given = {k: int(v) for k, v in params.items() if k in spec.params and v is not None}
    if not given:
        raise ValueError(f"export {kind!r} needs one of {', '.join(spec.params)}")
    return spec.writer(path, **given)
