"""Scoring: the Redis buffer, grading, ranking, leaderboards and the RQ jobs."""
