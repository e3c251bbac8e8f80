"""prize minimums and participation certificates per round

Revision ID: a1c3e5f7b9d2
Revises: 9f6692934f08
Create Date: 2026-12-04 22:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c3e5f7b9d2'
down_revision = '9f6692934f08'
branch_labels = None
depends_on = None


def upgrade():
    # Existing rounds: no minimum for any prize and no participation certificate.
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('prize_min_correct', sa.JSON(), server_default='{}', nullable=False)
        )
        batch_op.add_column(sa.Column('certificate_min_correct', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('certificate_min_correct')
        batch_op.drop_column('prize_min_correct')
