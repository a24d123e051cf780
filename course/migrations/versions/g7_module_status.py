"""learner status kept as data for the facilitator's pages

Revision ID: g7_module_status
Revises: f6_lasting
Create Date: 2026-12-02 00:35:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'g7_module_status'
down_revision = 'f6_lasting'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('learner_status',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('content_version', sa.String(length=64), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_learner_status_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_learner_status'))
    )


def downgrade():
    op.drop_table('learner_status')
