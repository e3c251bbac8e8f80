"""redis state: reserved attempt ids, checks of Redis after it starts, losses, lost attempts

Revision ID: 7ed15a6e0f11
Revises: 5e55a0b1d2c3
Create Date: 2026-12-04 15:46:43.172797

"""
from alembic import op
import sqlalchemy as sa

import quiz.models.base


# revision identifiers, used by Alembic.
revision = '7ed15a6e0f11'
down_revision = '5e55a0b1d2c3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('redis_losses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('detected_at', quiz.models.base.UTCDateTime(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('redis_run_id', sa.String(length=64), nullable=False),
    sa.Column('redis_last_id', sa.BigInteger(), nullable=False),
    sa.Column('database_last_id', sa.BigInteger(), nullable=False),
    sa.Column('attempts_ahead', sa.Integer(), nullable=False),
    sa.Column('receipts_missing', sa.Integer(), nullable=False),
    sa.Column('unscored_attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_redis_losses'))
    )
    op.create_table('redis_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('generation', sa.String(length=32), nullable=False),
    sa.Column('ids_reserved', sa.BigInteger(), nullable=False),
    sa.Column('checks', sa.Integer(), nullable=False),
    sa.Column('checked_run_id', sa.String(length=64), nullable=True),
    sa.Column('checked_at', quiz.models.base.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_redis_state'))
    )
    op.create_table('lost_attempts',
    sa.Column('attempt_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('entrant_id', sa.Integer(), nullable=False),
    sa.Column('lost_at', quiz.models.base.UTCDateTime(), nullable=False),
    sa.Column('seen_at', quiz.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['entrant_id'], ['entrants.id'], name=op.f('fk_lost_attempts_entrant_id_entrants')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_lost_attempts_round_id_rounds')),
    sa.PrimaryKeyConstraint('attempt_id', name=op.f('pk_lost_attempts'))
    )
    with op.batch_alter_table('lost_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lost_attempts_entrant_id'), ['entrant_id'], unique=False)



def downgrade():
    with op.batch_alter_table('lost_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lost_attempts_entrant_id'))

    op.drop_table('lost_attempts')
    op.drop_table('redis_state')
    op.drop_table('redis_losses')
