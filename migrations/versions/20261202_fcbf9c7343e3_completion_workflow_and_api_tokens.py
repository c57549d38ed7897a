"""The completion workflow (item states, late reasons, evidence, files, extensions, comments, notices) and API tokens.

Reminder stages gain the due date they were reached for, so an extended item gets the stages of its new date.

Revision ID: fcbf9c7343e3
Revises: e02fb39119f7
Create Date: 2026-12-02 13:45:26.871776

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fcbf9c7343e3'
down_revision = 'e02fb39119f7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('comment', 'contribution')", name=op.f('ck_comments_valid_kind')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_comments_agency_id_agencies')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_comments_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_comments_task_id_tasks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comments'))
    )
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comments_task_id_created_at'), ['task_id', 'created_at'], unique=False)

    op.create_table('evidence_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('due_item_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('doc_number', sa.String(length=80), nullable=False),
    sa.Column('doc_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_evidence_documents_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['due_item_id'], ['due_items.id'], name=op.f('fk_evidence_documents_due_item_id_due_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_documents'))
    )
    with op.batch_alter_table('evidence_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_documents_due_item_id'), ['due_item_id'], unique=False)

    op.create_table('extension_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('due_item_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('current_due_date', sa.Date(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=False),
    sa.CheckConstraint("state IN ('pending', 'approved', 'refused')", name=op.f('ck_extension_requests_valid_state')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_extension_requests_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['due_item_id'], ['due_items.id'], name=op.f('fk_extension_requests_due_item_id_due_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_extension_requests_requested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extension_requests'))
    )
    with op.batch_alter_table('extension_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extension_requests_due_item_id'), ['due_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_extension_requests_state_requested_at'), ['state', 'requested_at'], unique=False)
        batch_op.create_index('uq_extension_requests_one_pending', ['due_item_id'], unique=True, postgresql_where=sa.text("state = 'pending'"), sqlite_where=sa.text("state = 'pending'"))

    op.create_table('item_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('due_item_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['due_item_id'], ['due_items.id'], name=op.f('fk_item_files_due_item_id_due_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_item_files_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_files')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_item_files_stored_name'))
    )
    with op.batch_alter_table('item_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_files_due_item_id'), ['due_item_id'], unique=False)

    op.create_table('user_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('due_item_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_user_notices_agency_id_agencies')),
    sa.ForeignKeyConstraint(['due_item_id'], ['due_items.id'], name=op.f('fk_user_notices_due_item_id_due_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_user_notices_task_id_tasks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_notices'))
    )
    with op.batch_alter_table('user_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_notices_agency_id_created_at'), ['agency_id', 'created_at'], unique=False)

    with op.batch_alter_table('due_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=10), server_default=sa.text("'open'"), nullable=False))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False))
        batch_op.add_column(sa.Column('result', sa.Text(), server_default=sa.text("''"), nullable=False))
        batch_op.add_column(sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reported_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('late_reason', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('late_reason_agency_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('late_reason_text', sa.Text(), server_default=sa.text("''"), nullable=False))
        batch_op.add_column(sa.Column('review_comment', sa.Text(), server_default=sa.text("''"), nullable=False))
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_due_items_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_due_items_state_reported_at'), ['state', 'reported_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_due_items_reported_by_id_users'), 'users', ['reported_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_due_items_assignee_id_users'), 'users', ['assignee_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_due_items_late_reason_agency_id_agencies'), 'agencies', ['late_reason_agency_id'], ['id'])
        batch_op.create_check_constraint('valid_state', "state IN ('open', 'reported', 'returned', 'accepted')")
        batch_op.create_check_constraint(
            'valid_late_reason', "late_reason IS NULL OR late_reason IN ('thao_tac', 'tham_muu', 'phoi_hop', 'khac')"
        )
    # Items completed and accepted before this revision are accepted
    op.execute("UPDATE due_items SET state = 'accepted' WHERE completed_on IS NOT NULL AND accepted_at IS NOT NULL")
    with op.batch_alter_table('due_items', schema=None) as batch_op:
        batch_op.create_check_constraint(
            'accepted_is_complete', "state <> 'accepted' OR (completed_on IS NOT NULL AND accepted_at IS NOT NULL)"
        )

    with op.batch_alter_table('reminder_stages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_date', sa.Date(), nullable=True))
    op.execute(
        "UPDATE reminder_stages SET due_date = "
        "(SELECT due_items.due_date FROM due_items WHERE due_items.id = reminder_stages.due_item_id)"
    )
    op.execute("DELETE FROM reminder_stages WHERE due_date IS NULL")
    with op.batch_alter_table('reminder_stages', schema=None) as batch_op:
        batch_op.alter_column('due_date', existing_type=sa.Date(), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_reminder_stages_due_item_id_stage'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_reminder_stages_due_item_id_due_date_stage'), ['due_item_id', 'due_date', 'stage'])



def downgrade():
    # Keep one row per (item, stage): the latest due date's
    # (an anti-join: NOT IN over a large table is quadratic on PostgreSQL)
    op.execute(
        "DELETE FROM reminder_stages WHERE EXISTS (SELECT 1 FROM reminder_stages later "
        "WHERE later.due_item_id = reminder_stages.due_item_id AND later.stage = reminder_stages.stage "
        "AND later.id > reminder_stages.id)"
    )
    with op.batch_alter_table('reminder_stages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_reminder_stages_due_item_id_due_date_stage'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_reminder_stages_due_item_id_stage'), ['due_item_id', 'stage'])
        batch_op.drop_column('due_date')

    with op.batch_alter_table('due_items', schema=None) as batch_op:
        batch_op.drop_constraint('accepted_is_complete', type_='check')
        batch_op.drop_constraint('valid_late_reason', type_='check')
        batch_op.drop_constraint('valid_state', type_='check')
        batch_op.drop_constraint(batch_op.f('fk_due_items_late_reason_agency_id_agencies'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_due_items_assignee_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_due_items_reported_by_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_due_items_state_reported_at'))
        batch_op.drop_index(batch_op.f('ix_due_items_assignee_id'))
        batch_op.drop_column('assignee_id')
        batch_op.drop_column('review_comment')
        batch_op.drop_column('late_reason_text')
        batch_op.drop_column('late_reason_agency_id')
        batch_op.drop_column('late_reason')
        batch_op.drop_column('reported_by_id')
        batch_op.drop_column('reported_at')
        batch_op.drop_column('result')
        batch_op.drop_column('version')
        batch_op.drop_column('state')

    with op.batch_alter_table('user_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_notices_agency_id_created_at'))

    op.drop_table('user_notices')
    with op.batch_alter_table('item_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_files_due_item_id'))

    op.drop_table('item_files')
    with op.batch_alter_table('extension_requests', schema=None) as batch_op:
        batch_op.drop_index('uq_extension_requests_one_pending', postgresql_where=sa.text("state = 'pending'"), sqlite_where=sa.text("state = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_extension_requests_state_requested_at'))
        batch_op.drop_index(batch_op.f('ix_extension_requests_due_item_id'))

    op.drop_table('extension_requests')
    with op.batch_alter_table('evidence_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_documents_due_item_id'))

    op.drop_table('evidence_documents')
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comments_task_id_created_at'))

    op.drop_table('comments')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
