"""evaluation: questionnaires in versions, invitations ("has answered"), and anonymous answers
kept apart from who gave them (no key, moment or row number that leads back to a person); the
burden measure (instruments as data, the per-course switch, measurements with consent)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 14:18:16
"""
from alembic import op
import sqlalchemy as sa

import college.dbtypes


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('questionnaire',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('track', sa.Enum('caregivers', 'professionals', name='track', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('created_at', college.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(track IS NULL) <> (course_id IS NULL)', name=op.f('ck_questionnaire_track_or_course')),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_questionnaire_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organiser_id'], ['organiser.id'], name=op.f('fk_questionnaire_organiser_id_organiser'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire')),
    sa.UniqueConstraint('course_id', name=op.f('uq_questionnaire_course_id'))
    )
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_organiser_id'), ['organiser_id'], unique=False)
        batch_op.create_index('uq_questionnaire_standard', ['organiser_id', 'track'], unique=True, sqlite_where=sa.text('course_id IS NULL'), postgresql_where=sa.text('course_id IS NULL'))

    op.create_table('questionnaire_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('created_at', college.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], name=op.f('fk_questionnaire_version_questionnaire_id_questionnaire'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_version')),
    sa.UniqueConstraint('questionnaire_id', 'number', name=op.f('uq_questionnaire_version_questionnaire_id'))
    )
    op.create_table('evaluation_invitation',
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('invited_at', college.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answered', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_evaluation_invitation_enrolment_id_enrolment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('enrolment_id', name=op.f('pk_evaluation_invitation'))
    )
    op.create_table('evaluation_response',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['edition.id'], name=op.f('fk_evaluation_response_edition_id_edition'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['questionnaire_version.id'], name=op.f('fk_evaluation_response_version_id_questionnaire_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_response')),
    sqlite_with_rowid=False,
    )
    with op.batch_alter_table('evaluation_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_response_edition_id'), ['edition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_response_version_id'), ['version_id'], unique=False)

    op.create_table('evaluation_answer',
    sa.Column('response_id', sa.String(length=32), nullable=False),
    sa.Column('question_key', sa.String(length=20), nullable=False),
    sa.Column('option', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['response_id'], ['evaluation_response.id'], name=op.f('fk_evaluation_answer_response_id_evaluation_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'question_key', name=op.f('pk_evaluation_answer')),
    sqlite_with_rowid=False,
    )
    op.create_table('burden_instrument',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('scale_min', sa.Integer(), nullable=False),
    sa.Column('scale_max', sa.Integer(), nullable=False),
    sa.Column('low_label', sa.String(length=80), nullable=False),
    sa.Column('high_label', sa.String(length=80), nullable=False),
    sa.Column('score', sa.String(length=10), nullable=False),
    sa.Column('bands', sa.JSON(), nullable=False),
    sa.Column('created_at', college.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('scale_min < scale_max', name=op.f('ck_burden_instrument_scale_range')),
    sa.ForeignKeyConstraint(['organiser_id'], ['organiser.id'], name=op.f('fk_burden_instrument_organiser_id_organiser'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_burden_instrument'))
    )
    with op.batch_alter_table('burden_instrument', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_burden_instrument_organiser_id'), ['organiser_id'], unique=False)

    op.create_table('course_burden_measure',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('follow_up_weeks', sa.Integer(), nullable=False),
    sa.Column('retention_months', sa.Integer(), nullable=False),
    sa.CheckConstraint('follow_up_weeks BETWEEN 1 AND 52', name=op.f('ck_course_burden_measure_follow_up_weeks_range')),
    sa.CheckConstraint('retention_months BETWEEN 1 AND 120', name=op.f('ck_course_burden_measure_retention_months_range')),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_course_burden_measure_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['instrument_id'], ['burden_instrument.id'], name=op.f('fk_course_burden_measure_instrument_id_burden_instrument'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('course_id', name=op.f('pk_course_burden_measure'))
    )
    op.create_table('burden_declined',
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('declined_at', college.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_burden_declined_enrolment_id_enrolment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('enrolment_id', name=op.f('pk_burden_declined'))
    )
    op.create_table('burden_measurement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('moment', sa.Enum('before', 'after', 'follow_up', name='burden_moment', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('consent', sa.String(length=20), nullable=False),
    sa.Column('measured_at', college.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_burden_measurement_enrolment_id_enrolment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['instrument_id'], ['burden_instrument.id'], name=op.f('fk_burden_measurement_instrument_id_burden_instrument'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_burden_measurement')),
    sa.UniqueConstraint('enrolment_id', 'moment', name=op.f('uq_burden_measurement_enrolment_id'))
    )


def downgrade():
    op.drop_table('burden_measurement')
    op.drop_table('burden_declined')
    op.drop_table('course_burden_measure')
    with op.batch_alter_table('burden_instrument', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_burden_instrument_organiser_id'))

    op.drop_table('burden_instrument')
    op.drop_table('evaluation_answer')
    with op.batch_alter_table('evaluation_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_response_version_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_response_edition_id'))

    op.drop_table('evaluation_response')
    op.drop_table('evaluation_invitation')
    op.drop_table('questionnaire_version')
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.drop_index('uq_questionnaire_standard', sqlite_where=sa.text('course_id IS NULL'), postgresql_where=sa.text('course_id IS NULL'))
        batch_op.drop_index(batch_op.f('ix_questionnaire_organiser_id'))

    op.drop_table('questionnaire')
