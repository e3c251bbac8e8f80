"""Applying a clean read to a bank: all or nothing, in one transaction.

A code already in the bank with different content becomes a new version;
the old row stays (past attempts refer to it) but leaves the draw pool.
The bank's revision is bumped so every process reloads its pool.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from quiz.banks.reader import ParsedQuestion
from quiz.extensions import db
from quiz.models import Question, QuestionBank


@dataclass(frozen=True)
class ImportSummary:
    added: int
    updated: int
    unchanged: int


def existing_keys(bank: QuestionBank | None) -> dict[str, str]:
    """Text key → code of the bank's current questions (for duplicate checks)."""
    if bank is None or bank.id is None:
        return {}
    rows = db.session.execute(
        select(Question.text_key, Question.code).where(
            Question.bank_id == bank.id, Question.is_current.is_(True)
        )
    )
    return {key: code for key, code in rows}


def _same(q: Question, p: ParsedQuestion) -> bool:
    return (
        q.topic == p.topic
        and q.difficulty == p.difficulty
        and q.text == p.text
        and list(q.choices) == p.choices
        and list(q.correct) == p.correct
        and (q.explanation or "") == p.explanation
    )


def apply_import(bank: QuestionBank, questions: list[ParsedQuestion]) -> ImportSummary:
    """Write the questions into the bank. The caller commits (or rolls back)."""
    if bank.id is None:
        db.session.add(bank)
        db.session.flush()
    current = {
        q.code: q
        for q in db.session.scalars(
            select(Question).where(Question.bank_id == bank.id, Question.is_current.is_(True))
        )
    }
    added = updated = unchanged = 0
    new_rows = []
    for p in questions:
        old = current.get(p.code)
        if old is not None and _same(old, p):
            unchanged += 1
            continue
        version = 1
        if old is not None:
            old.is_current = False
            version = old.version + 1
            updated += 1
        else:
            added += 1
        new_rows.append(
            Question(
                bank_id=bank.id,
                code=p.code,
                version=version,
                is_current=True,
                topic=p.topic,
                difficulty=p.difficulty,
                text=p.text,
                choices=p.choices,
                correct=p.correct,
                explanation=p.explanation,
                keep_choice_order=p.keep_choice_order,
                text_key=p.text_key,
            )
        )
    db.session.flush()  # retire old versions before the new ones arrive
    db.session.add_all(new_rows)
    if added or updated:
        bank.revision = (bank.revision or 0) + 1
    db.session.flush()
    return ImportSummary(added, updated, unchanged)
