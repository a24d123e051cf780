"""each learner's latest answer per question kept as data, for a group's per-question results

Revision ID: h8_latest_answers
Revises: g7_module_status
Create Date: 2026-12-07 22:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'h8_latest_answers'
down_revision = 'g7_module_status'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('latest_answers',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('module_slug', sa.String(length=80), nullable=False),
    sa.Column('question_id', sa.String(length=80), nullable=False),
    sa.Column('is_correct', sa.Boolean(), nullable=False),
    sa.Column('chosen', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_latest_answers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'module_slug', 'question_id', name=op.f('pk_latest_answers'))
    )
    # A learner's latest answers are written with their summary. Dropping the summaries made before
    # this table has the app rewrite both, together, the first time a page reads them.
    op.execute('DELETE FROM learner_status')


def downgrade():
    op.drop_table('latest_answers')
