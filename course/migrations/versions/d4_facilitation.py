"""facilitation: co-facilitators, check-in actions, staff invites

Replaces the single groups.facilitator_id by the group_facilitators table (each existing
group keeps its facilitator), so deleting a facilitator's account no longer deletes their
groups and the members' data with them.

Revision ID: d4_facilitation
Revises: c3_knowledge_checks
"""
from alembic import op
import sqlalchemy as sa


revision = 'd4_facilitation'
down_revision = 'c3_knowledge_checks'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    leaders = bind.execute(sa.text("SELECT id, facilitator_id, created_at FROM groups")).all()
    # On SQLite the batch below rebuilds "groups" (copy, drop, rename); with foreign keys
    # enforced, dropping the old table would cascade-delete every membership. Keep them.
    memberships = bind.execute(sa.text("SELECT id, group_id, user_id, share_email, joined_at FROM memberships")).all()
    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_groups_facilitator_id'))
        batch_op.drop_constraint(batch_op.f('fk_groups_facilitator_id_users'), type_='foreignkey')
        batch_op.drop_column('facilitator_id')
    _restore_memberships(bind, memberships)

    op.create_table('group_facilitators',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_group_facilitators_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_group_facilitators_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'user_id', name=op.f('pk_group_facilitators'))
    )
    with op.batch_alter_table('group_facilitators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_facilitators_user_id'), ['user_id'], unique=False)
    # Every existing group keeps its one facilitator.
    if leaders:
        bind.execute(
            sa.text("INSERT INTO group_facilitators (group_id, user_id, added_at) VALUES (:group_id, :user_id, :added_at)"),
            [{"group_id": group_id, "user_id": user_id, "added_at": created_at} for group_id, user_id, created_at in leaders],
        )

    op.create_table('check_in_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('contacted_on', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('snoozed_until', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('contacted', 'snoozed')", name=op.f('ck_check_in_actions_kind')),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_check_in_actions_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learner_id'], ['users.id'], name=op.f('fk_check_in_actions_learner_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['users.id'], name=op.f('fk_check_in_actions_staff_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_in_actions'))
    )
    with op.batch_alter_table('check_in_actions', schema=None) as batch_op:
        batch_op.create_index('ix_check_in_actions_group_learner', ['group_id', 'learner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_in_actions_learner_id'), ['learner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_in_actions_staff_id'), ['staff_id'], unique=False)

    op.create_table('staff_invites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("role IN ('facilitator', 'admin')", name=op.f('ck_staff_invites_role')),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_staff_invites_invited_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_invites')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_staff_invites_token_hash'))
    )
    with op.batch_alter_table('staff_invites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_invites_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_invites_invited_by_id'), ['invited_by_id'], unique=False)


def _restore_memberships(bind, memberships) -> None:
    kept = {row[0] for row in bind.execute(sa.text("SELECT id FROM memberships"))}
    lost = [row._asdict() for row in memberships if row.id not in kept]
    if lost:
        bind.execute(
            sa.text("INSERT INTO memberships (id, group_id, user_id, share_email, joined_at) "
                    "VALUES (:id, :group_id, :user_id, :share_email, :joined_at)"),
            lost,
        )


def downgrade():
    bind = op.get_bind()
    memberships = bind.execute(sa.text("SELECT id, group_id, user_id, share_email, joined_at FROM memberships")).all()
    op.drop_table('staff_invites')
    op.drop_table('check_in_actions')
    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facilitator_id', sa.Integer(), nullable=True))
    # A group keeps its longest-serving facilitator. A group with none cannot go back
    # without deleting it and its members' data, so the downgrade stops instead.
    op.execute(
        "UPDATE groups SET facilitator_id = (SELECT user_id FROM group_facilitators gf "
        "WHERE gf.group_id = groups.id ORDER BY added_at, user_id LIMIT 1)"
    )
    orphans = op.get_bind().scalar(sa.text("SELECT count(*) FROM groups WHERE facilitator_id IS NULL"))
    if orphans:
        raise RuntimeError(f"{orphans} groups have no facilitator; give each one a facilitator before downgrading.")
    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.alter_column('facilitator_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_groups_facilitator_id_users'), 'users', ['facilitator_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index(batch_op.f('ix_groups_facilitator_id'), ['facilitator_id'], unique=False)
    _restore_memberships(bind, memberships)
    op.drop_table('group_facilitators')
