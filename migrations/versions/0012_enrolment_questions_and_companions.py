"""questions at enrolment and companion seats

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 14:30:00
"""
from alembic import op
import sqlalchemy as sa

import college.dbtypes


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows get their value once; afterwards the application supplies it.
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allow_companion', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seats', sa.Integer(), server_default='1', nullable=False))
        batch_op.create_check_constraint(op.f('ck_enrolment_one_or_two_seats'), 'seats BETWEEN 1 AND 2')
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.alter_column('allow_companion', server_default=None)
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.alter_column('seats', server_default=None)

    op.create_table(
        'enrolment_question',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('text', 'choice', name='question_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
        sa.Column('text', sa.String(length=300), nullable=False),
        sa.Column('why', sa.String(length=500), nullable=False),
        sa.Column('required', sa.Boolean(), nullable=False),
        sa.Column('choices_text', sa.Text(), nullable=False),
        sa.Column('archived_at', college.dbtypes.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("why <> ''", name=op.f('ck_enrolment_question_why_given')),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_enrolment_question_course_id_course'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolment_question')),
    )
    with op.batch_alter_table('enrolment_question', schema=None) as batch_op:
        batch_op.create_index('ix_enrolment_question_course_position', ['course_id', 'position'], unique=False)

    op.create_table(
        'enrolment_answer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enrolment_id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_enrolment_answer_enrolment_id_enrolment'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['question_id'], ['enrolment_question.id'], name=op.f('fk_enrolment_answer_question_id_enrolment_question'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolment_answer')),
    )
    with op.batch_alter_table('enrolment_answer', schema=None) as batch_op:
        batch_op.create_index('uq_enrolment_answer', ['enrolment_id', 'question_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_enrolment_answer_question_id'), ['question_id'], unique=False)


def downgrade():
    with op.batch_alter_table('enrolment_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolment_answer_question_id'))
        batch_op.drop_index('uq_enrolment_answer')
    op.drop_table('enrolment_answer')
    with op.batch_alter_table('enrolment_question', schema=None) as batch_op:
        batch_op.drop_index('ix_enrolment_question_course_position')
    op.drop_table('enrolment_question')
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_enrolment_one_or_two_seats'), type_='check')
        batch_op.drop_column('seats')
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('allow_companion')
