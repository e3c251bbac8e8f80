"""staff session version

Revision ID: 5e55a0b1d2c3
Revises: b53b28273fe3
Create Date: 2026-11-30 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e55a0b1d2c3'
down_revision = 'b53b28273fe3'
branch_labels = None
depends_on = None


def upgrade():
    # Existing accounts start at 1; their sessions (which carry no version)
    # end once, at this upgrade.
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_version', sa.Integer(), server_default='1', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('session_version')
