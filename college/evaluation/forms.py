"""Forms of the evaluation pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from college.evaluation.questionnaires import MAX_CLOSED, MAX_OPEN
from college.kept_forms import KeptForm


class EvaluationAnswerForm(FlaskForm):
    """The evaluation's send button; its questions are read as `<version id>-<key>` fields."""

    #: Inputs named after a questionnaire version's id (`12-q1`), read only for the questions
    #: the evaluation asks.
    id_keyed_inputs = ("",)


class QuestionSlotForm(Form):
    """One question of a questionnaire; a slot without a kind is no question."""

    kind = SelectField(_l("Kind of question"), choices=[
        SelectChoice("", _l("(no question)")),
        SelectChoice("scale", _l("Scale: answers from low to high")),
        SelectChoice("choice", _l("Choice: one of a few answers")),
        SelectChoice("open", _l("Open: a few words")),
    ], validate_choice=False)
    text = StringField(_l("Question"))
    options = TextAreaField(_l("Answers, one per line (scale: from low to high)"))


class QuestionnaireForm(KeptForm):
    """Every question of a questionnaire, in slots: works without JavaScript."""

    questions = FieldList(FormField(QuestionSlotForm), min_entries=MAX_CLOSED + MAX_OPEN,
                          max_entries=MAX_CLOSED + MAX_OPEN)

    def fill(self, questions: list[dict]) -> None:
        """Show the stored questions in the slots."""
        for slot, question in zip(self.questions, questions, strict=False):
            slot.kind.data = question["kind"]
            slot.text.data = question["text"]
            slot.options.data = "\n".join(question["options"])

    def raw_questions(self) -> list[dict]:
        """The filled slots as the questionnaire service reads them."""
        return [{"kind": slot.kind.data, "text": slot.text.data,
                 "options": (slot.options.data or "").splitlines()}
                for slot in self.questions if slot.kind.data or (slot.text.data or "").strip()]


class BurdenSettingForm(KeptForm):
    """The burden measure of a course: on or off, which instrument, when the follow-up comes."""

    on = SelectField(_l("Ask caregivers about their burden"), choices=[
        SelectChoice("yes", _l("Yes: before, after and some weeks after the training")),
        SelectChoice("no", _l("No")),
    ], validate_choice=False)
    instrument_id = SelectField(_l("Instrument"), coerce=int, validate_choice=False)
    follow_up_weeks = IntegerField(_l("Follow-up after how many weeks"), default=8,
                                   validators=[Optional()])
    retention_months = IntegerField(_l("Keep the answers for how many months"), default=24,
                                    validators=[Optional()],
                                    description=_l("After this the answers are removed."))
