"""Indicator values per period: what an agency reports for each quarter (or year) of a plan, and which period its
latest result is from. A value reported before this revision becomes the value of its plan's last period.

Revision ID: 8a41c6d2e7f3
Revises: 5d1c0a7e9b21
Create Date: 2026-12-02 21:00:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

from tracker.core.db import UTCDateTime


# revision identifiers, used by Alembic.
revision = '8a41c6d2e7f3'
down_revision = '5d1c0a7e9b21'
branch_labels = None
depends_on = None


def upgrade():
    from tracker.plans.indicators import periods_for

    op.create_table(
        'indicator_values',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('target_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('value', sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column('reported_at', UTCDateTime(), nullable=False),
        sa.Column('reported_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['target_id'], ['indicator_targets.id'],
                                name=op.f('fk_indicator_values_target_id_indicator_targets'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'],
                                name=op.f('fk_indicator_values_reported_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_values')),
        sa.UniqueConstraint('target_id', 'period', name=op.f('uq_indicator_values_target_id_period')),
    )
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_values_target_id'), ['target_id'], unique=False)
    with op.batch_alter_table('indicator_targets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actual_period', sa.String(length=7), server_default='', nullable=False))

    bind = op.get_bind()
    rows = bind.execute(sa.text(
        'SELECT t.id, t.actual_value, t.reported_at, p.period_start, p.period_end, p.issued_on '
        'FROM indicator_targets t JOIN indicators i ON t.indicator_id = i.id JOIN plans p ON i.plan_id = p.id '
        'WHERE t.actual_value IS NOT NULL'
    )).all()
    values = sa.table('indicator_values', sa.column('target_id', sa.Integer), sa.column('period', sa.String),
                      sa.column('value', sa.Numeric), sa.column('reported_at', UTCDateTime()))
    targets = sa.table('indicator_targets', sa.column('id', sa.Integer), sa.column('actual_period', sa.String))
    for row in rows:
        start, end, issued = (_date(value) for value in (row.period_start, row.period_end, row.issued_on))
        periods = periods_for(start, end, issued)
        if not periods:
            continue
        key = periods[-1].key
        reported = row.reported_at or datetime.now(timezone.utc)
        if isinstance(reported, str):
            reported = datetime.fromisoformat(reported)
        if reported.tzinfo is None:  # SQLite keeps UTC without its zone
            reported = reported.replace(tzinfo=timezone.utc)
        bind.execute(values.insert().values(target_id=row.id, period=key, value=row.actual_value,
                                            reported_at=reported))
        bind.execute(targets.update().where(targets.c.id == row.id).values(actual_period=key))


def _date(value):
    if value is None or not isinstance(value, str):
        return value
    from datetime import date
    return date.fromisoformat(value[:10])


def downgrade():
    with op.batch_alter_table('indicator_targets', schema=None) as batch_op:
        batch_op.drop_column('actual_period')
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_values_target_id'))
    op.drop_table('indicator_values')
