"""certificate designs: an organiser's versions (layout, colours, signature, text blocks) and the version each certificate was rendered with

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 03:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import college.dbtypes


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'certificate_design',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organiser_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('layout', sa.String(length=20), nullable=False),
        sa.Column('primary_colour', sa.String(length=7), nullable=False),
        sa.Column('accent_colour', sa.String(length=7), nullable=False),
        sa.Column('signature', sa.LargeBinary(), nullable=True),
        sa.Column('signature_mimetype', sa.String(length=40), nullable=True),
        sa.Column('signatory_name', sa.String(length=120), nullable=False),
        sa.Column('signatory_role', sa.String(length=120), nullable=False),
        sa.Column('title_text', sa.String(length=120), nullable=False),
        sa.Column('intro_text', sa.String(length=300), nullable=False),
        sa.Column('closing_text', sa.Text(), nullable=False),
        sa.Column('restored_from', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', college.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'],
                                name=op.f('fk_certificate_design_created_by_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organiser_id'], ['organiser.id'],
                                name=op.f('fk_certificate_design_organiser_id_organiser'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_design')),
        sa.UniqueConstraint('organiser_id', 'number', name='uq_certificate_design_version'),
    )
    # Certificates issued before have no design version: the default design rendered them.
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('design_version', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_column('design_version')
    op.drop_table('certificate_design')
