"""module images: pictures for a course's modules, stored in the database and served by the College

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 11:30:00
"""
from alembic import op
import sqlalchemy as sa

import college.dbtypes


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'module_image',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('mimetype', sa.String(length=40), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', college.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_module_image_course_id_course'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_module_image_uploaded_by_id_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_module_image')),
    )
    with op.batch_alter_table('module_image', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_module_image_course_id'), ['course_id'], unique=False)


def downgrade():
    with op.batch_alter_table('module_image', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_module_image_course_id'))
    op.drop_table('module_image')
