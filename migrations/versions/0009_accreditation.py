"""accreditation: schemes, a course's accreditations and professionals' registration numbers;
a course's accreditation points move into an accreditation of a "points" scheme

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 14:40:00
"""
from alembic import op
import sqlalchemy as sa

import college.dbtypes


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

#: The scheme that receives the points courses carried before schemes existed.
LEGACY_CODE = 'points'


def upgrade():
    op.create_table(
        'accreditation_scheme',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('body', sa.String(length=200), nullable=False),
        sa.Column('unit', sa.Enum('points', 'hours', name='scheme_unit', native_enum=False, create_constraint=True, length=20), nullable=False),
        sa.Column('partial_rule', sa.Enum('completion', 'all_sessions', 'pro_rata', name='scheme_partial_rule', native_enum=False, create_constraint=True, length=20), nullable=False),
        sa.Column('number_check', sa.Enum('none', 'riziv', name='scheme_number_check', native_enum=False, create_constraint=True, length=20), nullable=False),
        sa.Column('created_at', college.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_accreditation_scheme')),
        sa.UniqueConstraint('code', name=op.f('uq_accreditation_scheme_code')),
    )
    op.create_table(
        'course_accreditation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('scheme_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=60), nullable=False),
        sa.Column('points', sa.Double(), nullable=False),
        sa.Column('rubric', sa.String(length=120), nullable=False),
        sa.CheckConstraint('points >= 0', name=op.f('ck_course_accreditation_points_not_negative')),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_course_accreditation_course_id_course'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['scheme_id'], ['accreditation_scheme.id'], name=op.f('fk_course_accreditation_scheme_id_accreditation_scheme'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_course_accreditation')),
        sa.UniqueConstraint('course_id', 'scheme_id', name='uq_course_accreditation_scheme'),
    )
    with op.batch_alter_table('course_accreditation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_accreditation_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_accreditation_scheme_id'), ['scheme_id'], unique=False)
    op.create_table(
        'registration_number',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('scheme_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=60), nullable=False),
        sa.Column('updated_at', college.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['scheme_id'], ['accreditation_scheme.id'], name=op.f('fk_registration_number_scheme_id_accreditation_scheme'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_registration_number_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_number')),
        sa.UniqueConstraint('user_id', 'scheme_id', name='uq_registration_number_user_scheme'),
    )
    with op.batch_alter_table('registration_number', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_number_user_id'), ['user_id'], unique=False)

    # One home for points: what courses carried moves into an accreditation.
    connection = op.get_bind()
    carried = connection.execute(sa.text(
        'SELECT id, accreditation_points FROM course WHERE accreditation_points IS NOT NULL'
    )).all()
    if carried:
        connection.execute(sa.text(
            "INSERT INTO accreditation_scheme (code, name, body, unit, partial_rule, number_check, created_at) "
            "VALUES (:code, 'Accreditation points', '', 'points', 'completion', 'none', CURRENT_TIMESTAMP)"
        ), {'code': LEGACY_CODE})
        scheme_id = connection.execute(sa.text(
            'SELECT id FROM accreditation_scheme WHERE code = :code'), {'code': LEGACY_CODE}).scalar_one()
        connection.execute(sa.text(
            "INSERT INTO course_accreditation (course_id, scheme_id, number, points, rubric) "
            "VALUES (:course_id, :scheme_id, '', :points, '')"
        ), [{'course_id': course_id, 'scheme_id': scheme_id, 'points': points} for course_id, points in carried])
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_course_points_not_negative'), type_='check')
        batch_op.drop_column('accreditation_points')


def downgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accreditation_points', sa.Double(), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_course_points_not_negative'), 'accreditation_points >= 0')
    # A course keeps the points of its first accreditation; the rest cannot be kept.
    op.execute(
        'UPDATE course SET accreditation_points = (SELECT points FROM course_accreditation '
        'WHERE course_accreditation.course_id = course.id ORDER BY course_accreditation.id LIMIT 1)'
    )
    with op.batch_alter_table('registration_number', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_number_user_id'))
    op.drop_table('registration_number')
    with op.batch_alter_table('course_accreditation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_accreditation_scheme_id'))
        batch_op.drop_index(batch_op.f('ix_course_accreditation_course_id'))
    op.drop_table('course_accreditation')
    op.drop_table('accreditation_scheme')
