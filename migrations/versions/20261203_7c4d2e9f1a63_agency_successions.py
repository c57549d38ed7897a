"""Agency successions: a reorganisation recorded on a date (rename, merger, split, transfer), the units on each side,
and every due item it handed from a unit to its successor (kept for the reports as of an earlier day, the task
page's "trước đây" and a revert).

Revision ID: 7c4d2e9f1a63
Revises: 3b8e6f1a9d42
Create Date: 2026-12-03 02:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c4d2e9f1a63'
down_revision = '3b8e6f1a9d42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agency_successions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('users', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('applied_by_id', sa.Integer(), nullable=True),
    sa.Column('reverted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reverted_by_id', sa.Integer(), nullable=True),
    sa.Column('undo', sa.JSON(), nullable=False),
    sa.CheckConstraint("kind IN ('rename', 'merger', 'split', 'transfer')", name=op.f('ck_agency_successions_valid_kind')),
    sa.CheckConstraint("state IN ('applied', 'reverted')", name=op.f('ck_agency_successions_valid_state')),
    sa.CheckConstraint("users IN ('move', 'disable')", name=op.f('ck_agency_successions_valid_users')),
    sa.ForeignKeyConstraint(['applied_by_id'], ['users.id'], name=op.f('fk_agency_successions_applied_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reverted_by_id'], ['users.id'], name=op.f('fk_agency_successions_reverted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_successions'))
    )
    with op.batch_alter_table('agency_successions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_successions_effective_on'), ['effective_on'], unique=False)

    op.create_table('succession_agencies',
    sa.Column('succession_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=4), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("side IN ('from', 'to')", name=op.f('ck_succession_agencies_valid_side')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_succession_agencies_agency_id_agencies')),
    sa.ForeignKeyConstraint(['succession_id'], ['agency_successions.id'], name=op.f('fk_succession_agencies_succession_id_agency_successions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('succession_id', 'agency_id', 'side', name=op.f('pk_succession_agencies'))
    )
    op.create_table('item_moves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('succession_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('from_agency_id', sa.Integer(), nullable=False),
    sa.Column('to_agency_id', sa.Integer(), nullable=False),
    sa.Column('from_assignment_id', sa.Integer(), nullable=False),
    sa.Column('to_assignment_id', sa.Integer(), nullable=False),
    sa.Column('moved_on', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('absorbed_into_id', sa.Integer(), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['from_agency_id'], ['agencies.id'], name=op.f('fk_item_moves_from_agency_id_agencies')),
    sa.ForeignKeyConstraint(['succession_id'], ['agency_successions.id'], name=op.f('fk_item_moves_succession_id_agency_successions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_item_moves_task_id_tasks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_agency_id'], ['agencies.id'], name=op.f('fk_item_moves_to_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_moves'))
    )
    with op.batch_alter_table('item_moves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_moves_item_id_moved_on'), ['item_id', 'moved_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_moves_succession_id'), ['succession_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_moves_task_id'), ['task_id'], unique=False)


def downgrade():
    with op.batch_alter_table('item_moves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_moves_task_id'))
        batch_op.drop_index(batch_op.f('ix_item_moves_succession_id'))
        batch_op.drop_index(batch_op.f('ix_item_moves_item_id_moved_on'))
    op.drop_table('item_moves')
    op.drop_table('succession_agencies')
    with op.batch_alter_table('agency_successions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_successions_effective_on'))
    op.drop_table('agency_successions')
