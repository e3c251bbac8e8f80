"""Console pages for surveys: settings, the questionnaire, targets, invitations, the live page.

Registered like every other console page (imported by `quiz.console`) and
guarded by the one console guard: `survey_id` is in `access.SCOPED_ARGS`,
so the views find the survey on `g`, already checked to belong to the
account's units.
"""
