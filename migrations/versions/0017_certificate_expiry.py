"""certificates that expire: a course's validity in months, a certificate's last valid day and its reminder

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 19:50:00.000000

"""
from alembic import op
import sqlalchemy as sa

import college.dbtypes


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    # Existing courses and certificates do not expire: all three columns start empty.
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certificate_validity_months', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_course_certificate_validity_months_range'),
            'certificate_validity_months IS NULL OR certificate_validity_months BETWEEN 1 AND 120')
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('expiry_reminded_at', college.dbtypes.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_column('expiry_reminded_at')
        batch_op.drop_column('expires_on')
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_course_certificate_validity_months_range'), type_='check')
        batch_op.drop_column('certificate_validity_months')
