"""Forms for writing modules and building quizzes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

from college.forms import CreateOnceForm
from college.kept_forms import KeptForm
from college.learning.models import QuestionKind, ShowAnswers

#: Empty choice rows shown under a question, so authors add choices without JavaScript.
EXTRA_CHOICE_ROWS = 2


class ModuleForm(KeptForm):
    title = StringField(_l("Title"))
    minutes = IntegerField(
        _l("Estimated minutes"), default=10,
        validators=[InputRequired(_l("Enter the estimated minutes."))],
        render_kw={"inputmode": "numeric", "min": 0},
    )
    body_markdown = TextAreaField(
        _l("Text"),
        description=_l("Write in Markdown: **bold**, *italic*, lists with -, links as "
                       "[text](https://...). For a picture, upload it under \"Pictures\" below "
                       "and copy its line into the text."),
    )


class QuizSettingsForm(KeptForm):
    title = StringField(_l("Title of the quiz (optional)"))
    pass_pct = IntegerField(
        _l("Pass mark (%)"), default=70,
        validators=[InputRequired(_l("Enter the pass mark as a percentage."))],
        render_kw={"inputmode": "numeric"},
    )
    max_attempts = IntegerField(
        _l("Maximum number of attempts"), validators=[Optional()],
        description=_l("Leave empty for unlimited attempts."), render_kw={"inputmode": "numeric"},
    )
    time_limit_minutes = IntegerField(
        _l("Time limit in minutes"), validators=[Optional()],
        description=_l("Leave empty for no time limit."), render_kw={"inputmode": "numeric"},
    )
    shuffle_questions = BooleanField(_l("Shuffle the questions for each attempt"))
    shuffle_choices = BooleanField(_l("Shuffle the choices of each question"))
    show_answers = RadioField(
        _l("When may learners see the correct answers?"),
        choices=[
            SelectChoice(ShowAnswers.PASSED_OR_LAST.value,
                         _l("Once they have passed, or after their last attempt")),
            SelectChoice(ShowAnswers.AFTER_ATTEMPT.value, _l("After each attempt")),
            SelectChoice(ShowAnswers.AFTER_PASSING.value, _l("Once they have passed")),
            SelectChoice(ShowAnswers.NEVER.value, _l("Never")),
        ],
        default=ShowAnswers.PASSED_OR_LAST.value,
        validate_choice=False,  # the service refuses unknown values with its own message
    )


class ChoiceRowForm(Form):
    choice_id = HiddenField()
    text = StringField(_l("Choice"))
    correct = BooleanField(_l("This choice is correct"))
    feedback = StringField(_l("Feedback shown after the attempt (optional)"))
    remove = BooleanField(_l("Remove this choice"))


class QuestionForm(KeptForm):
    text = TextAreaField(_l("Question"), description=_l("You can use Markdown."))
    kind = RadioField(
        _l("Type of question"),
        choices=[
            SelectChoice(QuestionKind.SINGLE.value, _l("One correct answer")),
            SelectChoice(QuestionKind.MULTIPLE.value, _l("Several correct answers")),
            SelectChoice(QuestionKind.TRUE_FALSE.value, _l("True or false")),
        ],
        default=QuestionKind.SINGLE.value,
        validate_choice=False,
    )
    choices = FieldList(FormField(ChoiceRowForm), min_entries=4, max_entries=20)


class ModuleImageForm(FlaskForm):
    """A picture for the course's modules."""

    image = FileField(
        _l("Picture"),
        validators=[FileRequired(_l("Choose an image file."))],
        description=_l("A PNG or JPEG image of at most 2 MB. Save your text first: adding a "
                       "picture reloads this page."),
        render_kw={"accept": "image/png,image/jpeg"},
    )


class NewModuleForm(CreateOnceForm, ModuleForm):
    """A new module: saved twice (a double click), it is written once."""


class NewQuestionForm(CreateOnceForm, QuestionForm):
    """A new question: saved twice, it is added once."""


class StartQuizForm(CreateOnceForm, FlaskForm):
    """The "Start the quiz" button: clicked twice, it starts one attempt."""


class AnswerForm(FlaskForm):
    """One question of an attempt as the learner answers it (the template writes the inputs)."""

    question_id = IntegerField(validators=[InputRequired()])
    #: The picked choices; the service checks that they belong to the question.
    choice = SelectMultipleField(coerce=int, validate_choice=False)
