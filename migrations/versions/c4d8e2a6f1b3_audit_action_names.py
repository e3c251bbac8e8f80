"""audit action names in one style ("noun_done", snake_case): older rows renamed

Revision ID: c4d8e2a6f1b3
Revises: a1c3e5f7b9d2
Create Date: 2026-12-05 07:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d8e2a6f1b3'
down_revision = 'a1c3e5f7b9d2'
branch_labels = None
depends_on = None

RENAMED = {
    'unit.create': 'unit_created',
    'unit.update': 'unit_changed',
    'unit.move': 'unit_moved',
    'unit.merge': 'unit_merged',
    'units.import': 'units_imported',
    'contest_pause': 'contest_paused',
    'contest_resume': 'contest_resumed',
    'contest_publish': 'contest_published',
    'contest_unpublish': 'contest_unpublished',
    'round_pause': 'round_paused',
    'round_resume': 'round_resumed',
    'round_close': 'round_closed',
}

EVENTS = sa.table('audit_events', sa.column('action', sa.String))


def _rename(pairs):
    for old, new in pairs:
        op.execute(EVENTS.update().where(EVENTS.c.action == old).values(action=new))


def upgrade():
    _rename(RENAMED.items())


def downgrade():
    _rename((new, old) for old, new in RENAMED.items())
