"""Read-only snapshots of what organizers set up: contests, rounds, questions.

The lowest area above the models: the entrant's side (`quiz.contest`) and
scoring (`quiz.scoring`) both read these snapshots, so they live below both
and import neither.
"""
