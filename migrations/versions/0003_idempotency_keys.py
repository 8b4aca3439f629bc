"""create-once keys: a form's one-time token or an API Idempotency-Key, and what it created

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 06:26:10.110203

"""
from alembic import op
import sqlalchemy as sa

import college.dbtypes


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('idempotency_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sender', sa.String(length=80), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=True),
    sa.Column('result_id', sa.Integer(), nullable=True),
    sa.Column('created_at', college.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_idempotency_key_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_key')),
    # A second request with the same key waits on this index until the first one commits.
    sa.UniqueConstraint('sender', 'key', name=op.f('uq_idempotency_key_sender_key'))
    )
    # created_at: the periodic clean-up deletes by age; user_id: deleting a user deletes its keys.
    op.create_index(op.f('ix_idempotency_key_created_at'), 'idempotency_key', ['created_at'], unique=False)
    op.create_index(op.f('ix_idempotency_key_user_id'), 'idempotency_key', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_idempotency_key_user_id'), table_name='idempotency_key')
    op.drop_index(op.f('ix_idempotency_key_created_at'), table_name='idempotency_key')
    op.drop_table('idempotency_key')
