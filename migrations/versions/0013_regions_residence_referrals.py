"""regions of organisers and their regional coordinators; municipalities, where learners live, which ones organisers serve; referrals of caregivers by professionals

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 14:52:40.550630

"""
from alembic import op
import sqlalchemy as sa

import college.dbtypes


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('municipality',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nis_code', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('postcodes', sa.String(length=200), nullable=False),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.CheckConstraint('population IS NULL OR population > 0', name=op.f('ck_municipality_population_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_municipality')),
    sa.UniqueConstraint('nis_code', name=op.f('uq_municipality_nis_code'))
    )
    op.create_table('region',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('created_at', college.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_region')),
    sa.UniqueConstraint('slug', name=op.f('uq_region_slug'))
    )
    op.create_table('region_member',
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('created_at', college.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organiser_id'], ['organiser.id'], name=op.f('fk_region_member_organiser_id_organiser'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_region_member_region_id_region'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('region_id', 'organiser_id', name=op.f('pk_region_member'))
    )
    with op.batch_alter_table('region_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_region_member_organiser_id'), ['organiser_id'], unique=False)

    op.create_table('served_municipality',
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_served_municipality_municipality_id_municipality'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organiser_id'], ['organiser.id'], name=op.f('fk_served_municipality_organiser_id_organiser'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organiser_id', 'municipality_id', name=op.f('pk_served_municipality'))
    )
    with op.batch_alter_table('served_municipality', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_served_municipality_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('region_coordinator',
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', college.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_region_coordinator_region_id_region'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_region_coordinator_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('region_id', 'user_id', name=op.f('pk_region_coordinator'))
    )
    with op.batch_alter_table('region_coordinator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_region_coordinator_user_id'), ['user_id'], unique=False)

    op.create_table('residence',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', college.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_residence_municipality_id_municipality'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_residence_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_residence'))
    )
    with op.batch_alter_table('residence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_residence_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('caregiver_name', sa.String(length=120), nullable=False),
    sa.Column('caregiver_phone', sa.String(length=40), nullable=True),
    sa.Column('caregiver_email', sa.String(length=254), nullable=True),
    sa.Column('needs', sa.String(length=100), nullable=False),
    sa.Column('source', sa.Enum('gp', 'pharmacy', 'home_nursing', 'hospital', 'other', name='referral_source', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('consent_confirmed_at', college.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('referred_by_id', sa.Integer(), nullable=True),
    sa.Column('referrer_email', sa.String(length=254), nullable=True),
    sa.Column('created_at', college.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.Enum('contacted', 'enrolled', 'referred_elsewhere', 'not_reachable', name='referral_outcome', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('outcome_at', college.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome_by_id', sa.Integer(), nullable=True),
    sa.Column('enrolment_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('caregiver_phone IS NOT NULL OR caregiver_email IS NOT NULL', name=op.f('ck_referral_caregiver_reachable')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_referral_enrolment_id_enrolment'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organiser_id'], ['organiser.id'], name=op.f('fk_referral_organiser_id_organiser'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outcome_by_id'], ['user.id'], name=op.f('fk_referral_outcome_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['referred_by_id'], ['user.id'], name=op.f('fk_referral_referred_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral'))
    )
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_organiser_id'), ['organiser_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_referred_by_id'), ['referred_by_id'], unique=False)



def downgrade():
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_referred_by_id'))
        batch_op.drop_index(batch_op.f('ix_referral_organiser_id'))

    op.drop_table('referral')
    with op.batch_alter_table('residence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_residence_municipality_id'))

    op.drop_table('residence')
    with op.batch_alter_table('region_coordinator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_region_coordinator_user_id'))

    op.drop_table('region_coordinator')
    with op.batch_alter_table('served_municipality', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_served_municipality_municipality_id'))

    op.drop_table('served_municipality')
    with op.batch_alter_table('region_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_region_member_organiser_id'))

    op.drop_table('region_member')
    op.drop_table('region')
    op.drop_table('municipality')
