"""Data versions: a counter every change to the tracked data bumps, so figures computed from it are kept until then.

Revision ID: d7b2e5a9c1f0
Revises: c3e9a1f4b7d2
Create Date: 2026-12-02 21:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7b2e5a9c1f0'
down_revision = 'c3e9a1f4b7d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'data_versions',
        sa.Column('name', sa.String(length=20), nullable=False),
        sa.Column('number', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_data_versions')),
    )


def downgrade():
    op.drop_table('data_versions')
