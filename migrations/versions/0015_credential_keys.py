"""credential keys: the Ed25519 keys that sign Open Badges credentials

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 19:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import college.dbtypes


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('credential_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('public_key_multibase', sa.String(length=60), nullable=False),
    sa.Column('private_key_pem', sa.Text(), nullable=True),
    sa.Column('created_at', college.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('retired_at', college.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credential_key')),
    sa.UniqueConstraint('public_key_multibase', name=op.f('uq_credential_key_public_key_multibase'))
    )
    with op.batch_alter_table('credential_key', schema=None) as batch_op:
        batch_op.create_index('uq_credential_key_current', ['source'], unique=True,
                              sqlite_where=sa.text('private_key_pem IS NOT NULL AND retired_at IS NULL'),
                              postgresql_where=sa.text('private_key_pem IS NOT NULL AND retired_at IS NULL'))


def downgrade():
    with op.batch_alter_table('credential_key', schema=None) as batch_op:
        batch_op.drop_index('uq_credential_key_current',
                            sqlite_where=sa.text('private_key_pem IS NOT NULL AND retired_at IS NULL'),
                            postgresql_where=sa.text('private_key_pem IS NOT NULL AND retired_at IS NULL'))
    op.drop_table('credential_key')
