"""waiting-list offers: an edition's waiting-list mode and hold time, and the offers it made

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 14:30:00
"""
from alembic import op
import sqlalchemy as sa

import college.dbtypes


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('edition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waitlist_mode', sa.Enum('automatic', 'offer', name='waitlist_mode', native_enum=False, create_constraint=True, length=20), server_default='automatic', nullable=False))
        batch_op.add_column(sa.Column('offer_hold_hours', sa.Integer(), server_default='48', nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_edition_offer_hold_hours_range'), 'offer_hold_hours BETWEEN 1 AND 336',
        )

    op.create_table('waitlist_offer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('offered_at', college.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', college.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', college.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Enum('open', 'accepted', 'declined', 'expired', 'withdrawn', name='offer_outcome', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('expires_at > offered_at', name=op.f('ck_waitlist_offer_expires_after_offer')),
    sa.CheckConstraint("(outcome = 'open') = (answered_at IS NULL)", name=op.f('ck_waitlist_offer_answered_unless_open')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user.id'], name=op.f('fk_waitlist_offer_answered_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['edition_id'], ['edition.id'], name=op.f('fk_waitlist_offer_edition_id_edition'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_waitlist_offer_enrolment_id_enrolment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist_offer'))
    )
    with op.batch_alter_table('waitlist_offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waitlist_offer_edition_id'), ['edition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_waitlist_offer_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index('ix_waitlist_offer_outcome_expires', ['outcome', 'expires_at'], unique=False)
        batch_op.create_index('uq_waitlist_offer_open', ['enrolment_id'], unique=True, sqlite_where=sa.text("outcome = 'open'"), postgresql_where=sa.text("outcome = 'open'"))


def downgrade():
    with op.batch_alter_table('waitlist_offer', schema=None) as batch_op:
        batch_op.drop_index('uq_waitlist_offer_open', sqlite_where=sa.text("outcome = 'open'"), postgresql_where=sa.text("outcome = 'open'"))
        batch_op.drop_index('ix_waitlist_offer_outcome_expires')
        batch_op.drop_index(batch_op.f('ix_waitlist_offer_enrolment_id'))
        batch_op.drop_index(batch_op.f('ix_waitlist_offer_edition_id'))
    op.drop_table('waitlist_offer')
    with op.batch_alter_table('edition', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_edition_offer_hold_hours_range'), type_='check')
        batch_op.drop_constraint(op.f('ck_edition_waitlist_mode'), type_='check')
        batch_op.drop_column('offer_hold_hours')
        batch_op.drop_column('waitlist_mode')
