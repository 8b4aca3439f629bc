"""the access log also names referred caregivers: a line's subject is a learner or a referral

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 03:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    # Existing lines all name a learner: they satisfy "one subject" as they are.
    with op.batch_alter_table('personal_data_access', schema=None) as batch_op:
        batch_op.add_column(sa.Column('referral_id', sa.Integer(), nullable=True))
        batch_op.alter_column('learner_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_personal_data_access_referral_id_referral'),
                                    'referral', ['referral_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index('ix_personal_data_access_referral', ['referral_id', 'viewed_at'],
                              unique=False)
        batch_op.create_check_constraint(batch_op.f('ck_personal_data_access_one_subject'),
                                         '(learner_id IS NULL) <> (referral_id IS NULL)')


def downgrade():
    op.execute('DELETE FROM personal_data_access WHERE learner_id IS NULL')
    with op.batch_alter_table('personal_data_access', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_personal_data_access_one_subject'), type_='check')
        batch_op.drop_index('ix_personal_data_access_referral')
        batch_op.drop_constraint(batch_op.f('fk_personal_data_access_referral_id_referral'),
                                 type_='foreignkey')
        batch_op.alter_column('learner_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('referral_id')
