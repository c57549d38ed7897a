"""Reminder stages name the run that claimed them, so a run tells exactly what it recorded (set-based claims).

Revision ID: c3e9a1f4b7d2
Revises: 8a41c6d2e7f3
Create Date: 2026-12-02 21:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e9a1f4b7d2'
down_revision = '8a41c6d2e7f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reminder_stages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('run_id', sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f('ix_reminder_stages_run_id'), ['run_id'], unique=False)


def downgrade():
    with op.batch_alter_table('reminder_stages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_stages_run_id'))
        batch_op.drop_column('run_id')
