"""Task search: the folded text of each task (no diacritics, lower case), stored and indexed for the lists' search.

On PostgreSQL the index is a trigram GIN index (pg_trgm), which serves ``LIKE '%…%'``; on SQLite a plain index.

Revision ID: 5d1c0a7e9b21
Revises: fcbf9c7343e3
Create Date: 2026-12-02 19:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1c0a7e9b21'
down_revision = 'fcbf9c7343e3'
branch_labels = None
depends_on = None


def upgrade():
    from tracker.core.search import fold

    bind = op.get_bind()
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), server_default='', nullable=False))
    tasks = sa.table('tasks', sa.column('id', sa.Integer), sa.column('number', sa.String),
                     sa.column('content', sa.Text), sa.column('search_text', sa.Text))
    rows = bind.execute(sa.select(tasks.c.id, tasks.c.number, tasks.c.content)).all()
    changes = [{'task_id': row.id, 'folded': fold(f"{row.number} {row.content}")} for row in rows]
    for start in range(0, len(changes), 2000):
        bind.execute(
            tasks.update().where(tasks.c.id == sa.bindparam('task_id')).values(search_text=sa.bindparam('folded')),
            changes[start:start + 2000],
        )
    if bind.dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_tasks_search_text', ['search_text'], unique=False,
                              postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'})


def downgrade():
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_search_text', postgresql_using='gin')
        batch_op.drop_column('search_text')
