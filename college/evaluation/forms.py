"""Forms of the evaluation pages."""

from __future__ import annotations

from flask_babel import gettext as _
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

from college.errors import Invalid
from college.evaluation.questionnaires import MAX_CLOSED, MAX_OPEN
from college.forms import CreateOnceForm
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


class BurdenInstrumentForm(CreateOnceForm, KeptForm):
    """An instrument the organiser holds the rights to, as data; the service checks it."""

    name = StringField(_l("Name of the instrument"))
    items = TextAreaField(_l("Items, one per line"), description=_l(
        "The statements or questions, in the order they are asked."))
    reversed_items = StringField(_l("Reversed items (optional)"), description=_l(
        "The numbers of the items counted from the other end, separated by commas: 2, 5"))
    scale_min = StringField(_l("Lowest answer"), default="0")
    scale_max = StringField(_l("Highest answer"), default="4")
    low_label = StringField(_l("What the lowest answer means"))
    high_label = StringField(_l("What the highest answer means"))
    score = SelectField(_l("Score"), choices=[
        SelectChoice("sum", _l("The sum of the items")),
        SelectChoice("mean", _l("The mean of the items")),
    ], validate_choice=False)
    bands = TextAreaField(_l("Bands (optional), one per line"), description=_l(
        "The highest score of the band, then its name, from low to high: 10 light"))

    def instrument_data(self) -> dict:
        """The form as the service (and the API) reads an instrument."""
        lines = [line for line in (self.items.data or "").splitlines() if line.strip()]
        reversed_numbers = {token.strip() for token in (self.reversed_items.data or "").split(",")}
        unknown = sorted(token for token in reversed_numbers - {""}
                         if not token.isdigit() or not 1 <= int(token) <= len(lines))
        if unknown:
            raise Invalid(_("There is no item %(number)s to reverse.", number=unknown[0]),
                          field="reversed_items")
        bands = []
        for line in (self.bands.data or "").splitlines():
            upto, _space, label = line.strip().partition(" ")
            if upto:
                bands.append({"upto": upto, "label": label})
        return {"name": self.name.data, "scale_min": self.scale_min.data,
                "scale_max": self.scale_max.data, "low_label": self.low_label.data,
                "high_label": self.high_label.data, "score": self.score.data, "bands": bands,
                "items": [{"text": line, "reversed": str(number) in reversed_numbers}
                          for number, line in enumerate(lines, start=1)]}
