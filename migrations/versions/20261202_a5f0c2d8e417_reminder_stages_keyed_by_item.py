"""Reminder stages are keyed by item, due date and stage: the surrogate id, its index and its sequence go, so the
claims of a run write one index fewer per row.

Revision ID: a5f0c2d8e417
Revises: d7b2e5a9c1f0
Create Date: 2026-12-02 23:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a5f0c2d8e417'
down_revision = 'd7b2e5a9c1f0'
branch_labels = None
depends_on = None

KEY = ['due_item_id', 'due_date', 'stage']


def upgrade():
    with op.batch_alter_table('reminder_stages', schema=None, recreate='auto') as batch_op:
        batch_op.drop_constraint('uq_reminder_stages_due_item_id_due_date_stage', type_='unique')
        batch_op.drop_constraint('pk_reminder_stages', type_='primary')
        batch_op.drop_column('id')
        batch_op.create_primary_key('pk_reminder_stages', KEY)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint('pk_reminder_stages', 'reminder_stages', type_='primary')
        op.execute('ALTER TABLE reminder_stages ADD COLUMN id SERIAL')
        op.create_primary_key('pk_reminder_stages', 'reminder_stages', ['id'])
        op.create_unique_constraint('uq_reminder_stages_due_item_id_due_date_stage', 'reminder_stages', KEY)
        return
    # SQLite: a new table with the numbered rows (an INTEGER PRIMARY KEY numbers itself), then the swap
    op.create_table(
        'reminder_stages_old',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('due_item_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=30), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=False),
        sa.Column('run_id', sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ['due_item_id'], ['due_items.id'], name='fk_reminder_stages_due_item_id_due_items', ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name='pk_reminder_stages'),
        sa.UniqueConstraint(*KEY, name='uq_reminder_stages_due_item_id_due_date_stage'),
    )
    op.execute(
        'INSERT INTO reminder_stages_old (due_item_id, stage, sent_at, due_date, run_id) '
        'SELECT due_item_id, stage, sent_at, due_date, run_id FROM reminder_stages'
    )
    op.drop_index('ix_reminder_stages_run_id', table_name='reminder_stages')
    op.drop_table('reminder_stages')
    op.rename_table('reminder_stages_old', 'reminder_stages')
    op.create_index('ix_reminder_stages_run_id', 'reminder_stages', ['run_id'], unique=False)
