"""courses organised together (co-organisers); the municipalities a region serves, with its population figures

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 19:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import college.dbtypes


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('co_organiser',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('created_at', college.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_co_organiser_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organiser_id'], ['organiser.id'], name=op.f('fk_co_organiser_organiser_id_organiser'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('course_id', 'organiser_id', name=op.f('pk_co_organiser'))
    )
    with op.batch_alter_table('co_organiser', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_co_organiser_organiser_id'), ['organiser_id'], unique=False)

    op.create_table('region_municipality',
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.CheckConstraint('population IS NULL OR population > 0', name=op.f('ck_region_municipality_population_positive')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_region_municipality_municipality_id_municipality'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_region_municipality_region_id_region'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('region_id', 'municipality_id', name=op.f('pk_region_municipality'))
    )
    with op.batch_alter_table('region_municipality', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_region_municipality_municipality_id'), ['municipality_id'], unique=False)


def downgrade():
    with op.batch_alter_table('region_municipality', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_region_municipality_municipality_id'))

    op.drop_table('region_municipality')
    with op.batch_alter_table('co_organiser', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_co_organiser_organiser_id'))

    op.drop_table('co_organiser')
