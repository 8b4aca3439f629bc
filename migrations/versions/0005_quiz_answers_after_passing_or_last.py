"""quizzes show the correct answers after passing or after the last attempt (a new choice)

The new default for new quizzes; quizzes that exist keep the choice they have.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 11:30:00
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_OLD_CHOICES = ('never', 'after_attempt', 'after_passing')
_NEW_CHOICES = (*_OLD_CHOICES, 'passed_or_last')


def _check(choices: tuple[str, ...]) -> str:
    return "show_answers IN (" + ", ".join(f"'{choice}'" for choice in choices) + ")"


def upgrade():
    with op.batch_alter_table('quiz', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_quiz_quiz_show_answers'), type_='check')
        batch_op.create_check_constraint(op.f('ck_quiz_quiz_show_answers'), _check(_NEW_CHOICES))


def downgrade():
    # The nearest old choice: answers only once passed.
    op.execute("UPDATE quiz SET show_answers = 'after_passing' WHERE show_answers = 'passed_or_last'")
    with op.batch_alter_table('quiz', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_quiz_quiz_show_answers'), type_='check')
        batch_op.create_check_constraint(op.f('ck_quiz_quiz_show_answers'), _check(_OLD_CHOICES))
