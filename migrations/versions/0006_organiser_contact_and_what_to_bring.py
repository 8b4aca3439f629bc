"""an organiser's contact details (phone, email, address, hours); what to bring to an edition

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 11:10:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


_CONTACT = ('contact_phone', 'contact_email', 'contact_address', 'contact_hours')


def upgrade():
    # Existing rows get an empty value; afterwards the application supplies it (no server default).
    with op.batch_alter_table('organiser', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('contact_email', sa.String(length=254), server_default='', nullable=False))
        batch_op.add_column(sa.Column('contact_address', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('contact_hours', sa.String(length=200), server_default='', nullable=False))
    with op.batch_alter_table('edition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('what_to_bring', sa.String(length=500), server_default='', nullable=False))
    with op.batch_alter_table('organiser', schema=None) as batch_op:
        for column in _CONTACT:
            batch_op.alter_column(column, server_default=None)
    with op.batch_alter_table('edition', schema=None) as batch_op:
        batch_op.alter_column('what_to_bring', server_default=None)


def downgrade():
    with op.batch_alter_table('edition', schema=None) as batch_op:
        batch_op.drop_column('what_to_bring')
    with op.batch_alter_table('organiser', schema=None) as batch_op:
        batch_op.drop_column('contact_hours')
        batch_op.drop_column('contact_address')
        batch_op.drop_column('contact_email')
        batch_op.drop_column('contact_phone')
