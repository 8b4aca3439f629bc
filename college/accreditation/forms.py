"""Forms of the accreditation pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField

from college.accreditation.models import NumberCheck, PartialRule, Scheme, Unit

UNIT_LABELS = {Unit.POINTS: _l("Points"), Unit.HOURS: _l("Hours")}
RULE_LABELS = {
    PartialRule.COMPLETION: _l("Everything once the training is complete"),
    PartialRule.ALL_SESSIONS: _l("Only when every session was attended"),
    PartialRule.PRO_RATA: _l("In proportion to the sessions attended"),
}
CHECK_LABELS = {NumberCheck.NONE: _l("No check"), NumberCheck.RIZIV: _l("RIZIV/INAMI number")}


class AccreditationForm(FlaskForm):
    """Accredit a course in a scheme."""

    scheme_id = SelectField(_l("Scheme"), coerce=int, validate_choice=False)
    points = StringField(_l("Points or hours"),
                         description=_l("As the scheme counts them, for the whole training."))
    number = StringField(_l("Accreditation number (optional)"),
                         description=_l("The number the professional body gave this training."))
    rubric = StringField(_l("Rubric or domain (optional)"))

    def set_schemes(self, schemes: list[Scheme]) -> None:
        self.scheme_id.choices = [SelectChoice(scheme.id, scheme.name) for scheme in schemes]


class SchemeForm(FlaskForm):
    """Add a scheme to the installation's list."""

    code = StringField(_l("Short code"),
                       description=_l("Lower-case letters, digits and dashes, for example “nurses”."))
    name = StringField(_l("Name"))
    body = StringField(_l("Professional body (optional)"))
    unit = SelectField(_l("Counts"), choices=[SelectChoice(unit.value, label) for unit, label in UNIT_LABELS.items()])
    partial_rule = SelectField(_l("Points when sessions were missed"),
                               choices=[SelectChoice(rule.value, label) for rule, label in RULE_LABELS.items()])
    number_check = SelectField(_l("Check of registration numbers"),
                               choices=[SelectChoice(check.value, label) for check, label in CHECK_LABELS.items()])


def registration_numbers_form(schemes: list[Scheme], numbers: dict[int, str]) -> FlaskForm:
    """One field per scheme, filled with the number kept for it."""

    class RegistrationNumbersForm(FlaskForm):
        pass

    for scheme in schemes:
        setattr(RegistrationNumbersForm, f"scheme_{scheme.id}", StringField(
            scheme.name, default=numbers.get(scheme.id, ""),
            description=(_l("11 digits, for example 1-23456-25-001.")
                         if scheme.number_check == NumberCheck.RIZIV else None)))
    return RegistrationNumbersForm()
