"""organiser waiting-list lead time (hours before the start from which freed seats stay free)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 06:04:48.873104

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organiser', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waitlist_closes_hours_before', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_organiser_waitlist_closes_hours_before_range'),
            'waitlist_closes_hours_before BETWEEN 0 AND 720',
        )


def downgrade():
    with op.batch_alter_table('organiser', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_organiser_waitlist_closes_hours_before_range'), type_='check')
        batch_op.drop_column('waitlist_closes_hours_before')
