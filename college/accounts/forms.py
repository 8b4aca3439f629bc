"""Account forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from college.accounts.models import Kind, Language, Role
from college.forms import CreateOnceForm
from college.kept_forms import KeptForm


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def kind_choices():
    return [
        SelectChoice(Kind.CAREGIVER.value, _l("I care for someone close to me (caregiver)")),
        SelectChoice(Kind.PROFESSIONAL.value, _l("I work in care or welfare (professional)")),
    ]


def phone_field(label, description, autocomplete: str = "off") -> TelField:
    """A phone number (optional): the hub phones back people without email."""
    return TelField(label, validators=[Optional(), Length(max=40)], description=description,
                    render_kw={"autocomplete": autocomplete})


def note_field(label) -> TextAreaField:
    """A short note on how to reach someone; nothing else belongs there."""
    return TextAreaField(
        label,
        validators=[Optional(), Length(max=500)],
        description=_l("Only what helps to reach them, for example: \"calls best in the morning\"."),
    )


def own_name_field(description="") -> StringField:
    """The person's own name, as browsers fill it in."""
    return StringField(_l("Your name"), validators=[DataRequired(_l("Enter your name.")), Length(max=120)],
                       description=description, render_kw={"autocomplete": "name"})


def own_email_field(description="") -> EmailField:
    """The person's own email address (required), as browsers fill it in."""
    return EmailField(
        _l("Email address"),
        validators=[DataRequired(_l("Enter your email address.")), Length(max=254)],
        description=description,
        render_kw={"autocomplete": "email"},
    )


def profession_field(label) -> StringField:
    return StringField(label, validators=[Optional(), Length(max=120)],
                       description=_l("For example: home nurse, social worker, GP."))


def registration_number_field() -> StringField:
    return StringField(
        _l("Registration number (optional)"),
        validators=[Optional(), Length(max=60)],
        description=_l("Only if your certificate must state it, for example your RIZIV/INAMI number."),
    )


class RegisterForm(KeptForm):
    kind = RadioField(
        _l("Who are you?"),
        choices=kind_choices(),
        validators=[DataRequired(_l("Choose whether you are a caregiver or a professional."))],
        invalid_choice_message=_l("Choose whether you are a caregiver or a professional."),
    )
    name = own_name_field()
    email = own_email_field()
    password = PasswordField(
        _l("Choose a password"),
        validators=[DataRequired(_l("Choose a password."))],
        description=_l("At least 8 characters. A short sentence is easy to remember."),
        render_kw={"autocomplete": "new-password"},
    )
    profession = profession_field(_l("Profession (only for professionals)"))
    registration_number = registration_number_field()
    consent = BooleanField(
        _l("I have read the privacy notice and agree that the College keeps my details "
           "to organise my trainings."),
        validators=[DataRequired(_l("You can only register if you agree to the privacy notice."))],
    )


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(_l("Enter your email address."))],
        render_kw={"autocomplete": "email"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a new password."))],
        description=_l("At least 8 characters."),
        render_kw={"autocomplete": "new-password"},
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(_l("Enter your email address.")), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a new password."))],
        description=_l("At least 8 characters. A short sentence is easy to remember."),
        render_kw={"autocomplete": "new-password"},
    )


def role_choices():
    return [
        SelectChoice(Role.LEARNER.value, _l("Learner (caregiver or professional)")),
        SelectChoice(Role.TRAINER.value, _l("Trainer")),
        SelectChoice(Role.COORDINATOR.value, _l("Coordinator")),
    ]


class AccountForm(CreateOnceForm, KeptForm):
    """A coordinator creates an account for their organiser (once per form shown)."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=120)])
    email = EmailField(
        _l("Email address"),
        validators=[Optional(), Length(max=254)],
        description=_l("Leave empty for a caregiver without email: you then enrol them yourself."),
    )
    roles = MultiCheckboxField(
        _l("Roles"),
        choices=role_choices(),
        validators=[DataRequired(_l("Choose at least one role."))],
        validate_choice=False,  # the service refuses unknown roles with its own message
    )
    kind = RadioField(
        _l("Learner type (for learners)"),
        choices=[SelectChoice("", _l("Not a learner")), *kind_choices()],
        default="",
        validate_choice=False,
    )
    phone = phone_field(
        _l("Phone number (optional)"),
        _l("So that you can phone back someone without email."),
    )
    note = note_field(_l("Note (optional, for accounts without email)"))


def language_choices():
    return [SelectChoice(Language.NL.value, "Nederlands"), SelectChoice(Language.EN.value, "English")]


class MyAccountForm(KeptForm):
    """A person's own details."""

    name = own_name_field(_l("As it should be printed on your certificates."))
    email = own_email_field(_l("A new address is used once you open the link we mail to it."))
    current_password = PasswordField(
        _l("Current password (only to change your email address)"),
        validators=[Optional()],
        render_kw={"autocomplete": "current-password"},
    )
    phone = phone_field(
        _l("Phone number (optional)"),
        _l("So that your Caregivers Hub can phone you, for example when a seat becomes free."),
        "tel",
    )
    profession = profession_field(_l("Profession"))
    registration_number = registration_number_field()
    language = RadioField(
        _l("Language of the College and its mails"),
        choices=language_choices(),
        validators=[DataRequired(_l("Choose Dutch or English."))],
        invalid_choice_message=_l("Choose Dutch or English."),
    )


class ManagedAccountForm(KeptForm):
    """A coordinator corrects an account without email."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=120)])
    phone = phone_field(
        _l("Phone number"),
        _l("Shown on \"To phone\" as a number to tap."),
    )
    note = note_field(_l("Note (optional)"))
    kind = RadioField(
        _l("Learner type"),
        choices=kind_choices(),
        validators=[DataRequired(_l("Choose whether the learner is a caregiver or a professional."))],
        invalid_choice_message=_l("Choose whether the learner is a caregiver or a professional."),
    )


class LogoForm(FlaskForm):
    """A coordinator uploads the organiser's logo (printed on certificates)."""

    logo = FileField(
        _l("Logo"),
        validators=[FileRequired(_l("Choose an image file."))],
        description=_l("A PNG or JPEG image of at most 512 KB."),
        render_kw={"accept": "image/png,image/jpeg"},
    )


class OrganiserSettingsForm(FlaskForm):
    """An organiser's contact details, and how its waiting lists and verification behave."""

    contact_phone = StringField(
        _l("Phone number"), validators=[Length(max=40)],
        description=_l("Learners call this number with questions. For example: 09 123 45 67."),
        render_kw={"type": "tel", "autocomplete": "off"},
    )
    contact_email = StringField(_l("Email address"), validators=[Length(max=254)],
                                render_kw={"type": "email", "autocomplete": "off"})
    contact_address = StringField(
        _l("Address"), validators=[Length(max=300)],
        description=_l("Where people can drop by, for example: Botermarkt 1, 9000 Gent."),
    )
    contact_hours = StringField(
        _l("When you can be reached"), validators=[Length(max=200)],
        description=_l("For example: weekdays from 9 to 12 o'clock."),
    )

    waitlist_closes_hours_before = StringField(
        _l("Close the waiting list this many hours before the start"),
        validators=[DataRequired(_l("Enter a whole number of hours, like 24."))],
        description=_l("When a seat frees up later than this, it stays free: nobody is moved up "
                       "or mailed. 0 means: until the first session starts."),
        render_kw={"inputmode": "numeric"},
    )
    verify_anonymised_certificates = BooleanField(
        _l("Certificates of people who deleted their account still show as valid"),
        description=_l("Verification then answers \"valid\" without a name."),
    )
