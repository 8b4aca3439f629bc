"""confirmed email addresses, a pending new address, a note on managed accounts; held mails

Accounts that exist already keep receiving mail: their address counts as confirmed from the
day they were created (they registered before the College asked for a confirmation).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 09:00:00
"""
from alembic import op
import sqlalchemy as sa

import college.dbtypes


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_OLD_STATUSES = ('pending', 'sent', 'logged', 'to_phone', 'failed')
_NEW_STATUSES = (*_OLD_STATUSES, 'held', 'expired')


def _status_check(statuses: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{status}'" for status in statuses) + ")"


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', college.dbtypes.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('pending_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('note', sa.String(length=500), nullable=True))
    op.execute('UPDATE "user" SET email_confirmed_at = created_at WHERE email IS NOT NULL')

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notification_notification_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_notification_notification_status'),
                                         _status_check(_NEW_STATUSES))


def downgrade():
    op.execute("UPDATE notification SET status = 'pending' WHERE status = 'held'")
    op.execute("UPDATE notification SET status = 'failed' WHERE status = 'expired'")
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notification_notification_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_notification_notification_status'),
                                         _status_check(_OLD_STATUSES))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('note')
        batch_op.drop_column('pending_email')
        batch_op.drop_column('email_confirmed_at')
