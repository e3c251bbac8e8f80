"""survey response exports are personal data: files made before the rule follow it

Revision ID: d5e7f9a1b3c4
Revises: c4d8e2a6f1b3
Create Date: 2026-12-05 09:30:00.000000

Each row of a survey's response export carries the response's unit, age
band, gender and occupation, which get round the results page's minimum
group size; quiz/reports/export_kinds.py now marks them as personal data
(editors only, audited), and the files already made are marked the same.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5e7f9a1b3c4'
down_revision = 'c4d8e2a6f1b3'
branch_labels = None
depends_on = None

KINDS = ('survey_responses', 'survey_csv')
EXPORTS = sa.table('export_files', sa.column('kind', sa.String), sa.column('personal_data', sa.Boolean))


def upgrade():
    op.execute(EXPORTS.update().where(EXPORTS.c.kind.in_(KINDS)).values(personal_data=True))


def downgrade():
    op.execute(EXPORTS.update().where(EXPORTS.c.kind.in_(KINDS)).values(personal_data=False))
