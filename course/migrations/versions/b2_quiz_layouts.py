"""quiz layouts: the questions drawn and the choice order shown, per attempt

Revision ID: b2_quiz_layouts
Revises: a1_sessions (the integrator chains it after the other branches' scripts)
Create Date: 2026-12-01 22:52:24.803786

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b2_quiz_layouts'
down_revision = 'a1_sessions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quiz_layouts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('module_slug', sa.String(length=80), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('content_version', sa.String(length=64), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['quiz_attempts.id'], name=op.f('fk_quiz_layouts_attempt_id_quiz_attempts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_quiz_layouts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_layouts')),
    sa.UniqueConstraint('attempt_id', name=op.f('uq_quiz_layouts_attempt_id')),
    sa.UniqueConstraint('user_id', 'token', name=op.f('uq_quiz_layouts_user_id_token'))
    )
    with op.batch_alter_table('quiz_layouts', schema=None) as batch_op:
        batch_op.create_index('ix_quiz_layouts_user_module', ['user_id', 'module_slug'], unique=False)



def downgrade():
    with op.batch_alter_table('quiz_layouts', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_layouts_user_module')

    op.drop_table('quiz_layouts')
