"""The result codes of the Lua scripts, named as the scripts name them.

Each script declares its codes at its top (`local NAME = number`); each
enum here names the same numbers, and tests/test_lua_scripts.py checks that
the two agree, so a code never reads as a bare number on either side.
"""

from __future__ import annotations

from enum import IntEnum


class StartCode(IntEnum):
    """scoring/lua/start.lua: what became of a start."""

    WAIT = 0  # admission is full: retry in the returned number of ms
    RESUMED = 1  # the entrant's running attempt, resumed
    LIMIT = 2  # the round's attempt limit is reached
    NEEDS_SEQS = 3  # the round's per-entrant counts must be seeded from the database
    NEEDS_IDS = 4  # no id left below the ceiling: a block must be reserved
    STARTED = 5  # a new attempt
    NEEDS_CHECK = 6  # this Redis process has not been checked since it started


class SaveCode(IntEnum):
    """scoring/lua/save.lua: a save refused (otherwise the saves so far, 1 or more)."""

    CLOSED = -1  # submitted already
    TOO_MANY_SAVES = -2
    UNKNOWN = -3  # no answers hash: the attempt may have been lost with Redis's data


class SubmitCode(IntEnum):
    """scoring/lua/submit.lua."""

    REPEATED = 0  # submitted before: the first receipt
    SUBMITTED = 1  # submitted now
    UNKNOWN = -3  # no answers hash: the attempt may have been lost with Redis's data


class RaiseCode(IntEnum):
    """scoring/lua/raise_ids.lua."""

    UNCHANGED = 0
    RAISED = 1


class CheckCode(IntEnum):
    """scoring/lua/check_redis.lua."""

    RESTARTED = -1  # Redis restarted while it was being checked: start again
    CHECKED_ALREADY = 0
    APPLIED = 1


class SeedCode(IntEnum):
    """scoring/lua/seed_seqs.lua."""

    SEEDED = 1


class SwapCode(IntEnum):
    """scoring/lua/swap_boards.lua."""

    CLEARED = 0
    SWAPPED = 1


class SurveySaveCode(IntEnum):
    """surveys/lua/save.lua: a save refused (otherwise the saves so far, 1 or more)."""

    ANSWERED = -1  # the respondent has no response left to give
    TOO_MANY_SAVES = -2
    NOT_COUNTED = -3  # who answered must be counted from the database first


class SurveySubmitCode(IntEnum):
    """surveys/lua/submit.lua."""

    ANSWERED = 0  # answered already: nothing queued
    QUEUED = 1
    NOT_COUNTED = 2  # who answered must be counted from the database first


# Script (path under quiz/) -> the enum naming its codes; None for a script
# that returns data or a count rather than a code.
SCRIPT_CODES: dict[str, type[IntEnum] | None] = {
    "scoring/lua/start.lua": StartCode,
    "scoring/lua/save.lua": SaveCode,
    "scoring/lua/submit.lua": SubmitCode,
    "scoring/lua/raise_ids.lua": RaiseCode,
    "scoring/lua/check_redis.lua": CheckCode,
    "scoring/lua/seed_seqs.lua": SeedCode,
    "scoring/lua/place_results.lua": None,
    "scoring/lua/all_answers.lua": None,
    "scoring/lua/swap_boards.lua": SwapCode,
    "surveys/lua/save.lua": SurveySaveCode,
    "surveys/lua/submit.lua": SurveySubmitCode,
    "surveys/lua/count.lua": None,
}
