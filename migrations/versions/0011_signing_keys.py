"""signing keys: the certificates (and generated keys) attest PDFs are signed with

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 14:40:00
"""
from alembic import op
import sqlalchemy as sa

import college.dbtypes


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'signing_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=40), nullable=False),
        sa.Column('organiser_id', sa.Integer(), nullable=True),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('certificate_pem', sa.Text(), nullable=False),
        sa.Column('private_key_pem', sa.Text(), nullable=True),
        sa.Column('created_at', college.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column('retired_at', college.dbtypes.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['organiser_id'], ['organiser.id'], name=op.f('fk_signing_key_organiser_id_organiser'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_key')),
        sa.UniqueConstraint('fingerprint', name=op.f('uq_signing_key_fingerprint')),
    )
    with op.batch_alter_table('signing_key', schema=None) as batch_op:
        batch_op.create_index('uq_signing_key_current', ['scope'], unique=True,
                              sqlite_where=sa.text('private_key_pem IS NOT NULL AND retired_at IS NULL'),
                              postgresql_where=sa.text('private_key_pem IS NOT NULL AND retired_at IS NULL'))


def downgrade():
    with op.batch_alter_table('signing_key', schema=None) as batch_op:
        batch_op.drop_index('uq_signing_key_current',
                            sqlite_where=sa.text('private_key_pem IS NOT NULL AND retired_at IS NULL'),
                            postgresql_where=sa.text('private_key_pem IS NOT NULL AND retired_at IS NULL'))
    op.drop_table('signing_key')
