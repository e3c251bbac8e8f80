"""Console pages for conferences: set-up, delegates, scanning, attendance.

Registered like every other console page (imported by `quiz.console`) and
guarded by the one console guard: `conference_id` and the ids below it
(session, point, delegate, document) are in `access.SCOPED_ARGS`, so the
views find them on `g`, already checked to belong to the account's units
and to the conference the URL names.
"""
