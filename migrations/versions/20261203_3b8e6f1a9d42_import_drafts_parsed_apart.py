"""Import drafts parsed apart: a large upload is kept with the draft and parsed by a process of its own, which writes
its progress (status "parsing", then "open", or "failed" with the reason).

Revision ID: 3b8e6f1a9d42
Revises: dd645765f1c2
Create Date: 2026-12-03 01:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b8e6f1a9d42'
down_revision = 'dd645765f1c2'
branch_labels = None
depends_on = None

OLD = "status IN ('open', 'committed', 'discarded')"
NEW = "status IN ('parsing', 'failed', 'open', 'committed', 'discarded')"


def upgrade():
    with op.batch_alter_table('import_drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('progress', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('progress_note', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('worker', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('error', sa.Text(), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_import_drafts_valid_status'), type_='check')
        batch_op.create_check_constraint('valid_status', NEW)


def downgrade():
    op.execute("UPDATE import_drafts SET status = 'discarded' WHERE status IN ('parsing', 'failed')")
    with op.batch_alter_table('import_drafts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_import_drafts_valid_status'), type_='check')
        batch_op.create_check_constraint('valid_status', OLD)
        batch_op.drop_column('error')
        batch_op.drop_column('worker')
        batch_op.drop_column('progress_note')
        batch_op.drop_column('progress')
        batch_op.drop_column('source')
