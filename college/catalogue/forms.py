"""Forms of course management and of the catalogue's filters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectChoice,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import InputRequired, Length, Optional

from college.accounts.forms import MultiCheckboxField
from college.catalogue.models import Track
from college.forms import CreateOnceForm
from college.kept_forms import KeptForm


class _PlainParseMessage:
    """A field whose unparsable input gets a plain message of ours, with an example."""

    parse_message = _l("This value is not valid.")

    def process_formdata(self, valuelist):
        """Parse as the base field does, with our message when that fails."""
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(self.parse_message)) from error


class WholeNumberField(_PlainParseMessage, IntegerField):
    """A whole number: seats, percentages."""

    parse_message = _l("Enter a whole number, like 12.")


class NumberField(_PlainParseMessage, DecimalField):
    """A decimal field that accepts a comma as decimal mark, as Flemish people write it."""

    parse_message = _l("Enter a number, like 2 or 2,5.")

    def process_formdata(self, valuelist):
        """Read "2,5" as 2.5."""
        super().process_formdata([valuelist[0].replace(",", ".").strip()] if valuelist else valuelist)


class DayField(_PlainParseMessage, DateField):
    """A calendar day."""

    parse_message = _l("Enter a date, like 2027-03-14.")


class ClockField(_PlainParseMessage, TimeField):
    """A wall-clock time in Brussels."""

    parse_message = _l("Enter a time, like 14:00.")


class MomentField(_PlainParseMessage, DateTimeLocalField):
    """A wall-clock date and time in Brussels."""

    parse_message = _l("Enter a date and a time, like 2027-03-14 09:00.")


def track_choices():
    """The two tracks as checkbox choices."""
    return [
        SelectChoice(Track.CAREGIVERS.value, _l("Caregivers")),
        SelectChoice(Track.PROFESSIONALS.value, _l("Professionals")),
    ]


class CourseForm(KeptForm):
    """A course and its completion rule."""

    title = StringField(_l("Title"), validators=[Length(max=200)])
    summary = StringField(
        _l("Summary"),
        validators=[Length(max=500)],
        description=_l("One or two sentences shown in the catalogue."),
    )
    description = TextAreaField(_l("Description"))
    tracks = MultiCheckboxField(
        _l("Open to"),
        choices=track_choices(),
        validate_choice=False,  # the service refuses unknown or missing tracks with its message
    )
    hours = NumberField(_l("Hours"), validators=[Optional()], places=None)
    published = BooleanField(_l("Published: learners can see and enrol"))
    min_attendance_pct = WholeNumberField(
        _l("Minimum attendance (%)"),
        validators=[InputRequired(_l("Enter a percentage between 0 and 100."))],
        default=80,
    )
    modules_required = BooleanField(_l("All modules must be completed"))
    quiz_pass_pct = WholeNumberField(
        _l("Quiz pass mark (%)"),
        validators=[InputRequired(_l("Enter a percentage between 0 and 100."))],
        default=70,
        description=_l("Only counts when the course has a quiz."),
    )
    allow_companion = BooleanField(
        _l("Companion seats: a caregiver may bring the person they care for"),
        description=_l("Their enrolment then takes two seats."),
    )
    offers_respite = BooleanField(
        _l("Respite: caregivers may ask that someone takes over their care during the sessions"),
        description=_l("The hub arranges it with its respite partners."),
    )
    certificate_validity_months = WholeNumberField(
        _l("Certificate valid for (months)"),
        validators=[Optional()],
        description=_l("For a refresher course, for example 36. Leave empty when certificates "
                       "do not expire."),
    )

    def service_fields(self) -> dict:
        """The fields as the catalogue services take them."""
        return {
            "title": self.title.data,
            "summary": self.summary.data,
            "description": self.description.data,
            "tracks": set(self.tracks.data or ()),
            "hours": self.hours.data if self.hours.data is not None else 0,
            "published": self.published.data,
            "min_attendance_pct": self.min_attendance_pct.data,
            "modules_required": self.modules_required.data,
            "quiz_pass_pct": self.quiz_pass_pct.data,
            "allow_companion": self.allow_companion.data,
            "offers_respite": self.offers_respite.data,
            "certificate_validity_months": self.certificate_validity_months.data,
        }


class NewCourseForm(CreateOnceForm, CourseForm):
    """A new course: saved twice (a double click), it is created once."""


class CoOrganisersForm(KeptForm):
    """The organisers that organise a course with its lead organiser, ticked from the list."""

    organiser_ids = MultiCheckboxField(_l("Organisers that organise this course with you"),
                                       coerce=int, validate_choice=False)


class EnrolmentQuestionForm(KeptForm):
    """A question the course asks at enrolment, and why it asks it."""

    text = StringField(_l("Question"), validators=[Length(max=300)],
                       description=_l("For example: Do you need wheelchair access?"))
    why = TextAreaField(
        _l("Why we ask this"), validators=[Length(max=500)],
        description=_l("Shown under the question. Ask only what the training needs: people "
                       "answer more readily when they know why."),
    )
    kind = RadioField(
        _l("Kind of answer"),
        choices=[SelectChoice("text", _l("Text they type")),
                 SelectChoice("choice", _l("One of a list of choices"))],
        default="text",
        validate_choice=False,  # the service refuses an unknown kind with its message
    )
    choices = TextAreaField(_l("Choices (one per line)"),
                            description=_l("Only for a list of choices, like Yes and No."))
    required = BooleanField(_l("An answer is required"))
    position = WholeNumberField(_l("Place in the list (1 is first)"), validators=[Optional()])

    def service_fields(self) -> dict:
        """The fields as the question services take them."""
        return {"text": self.text.data, "why": self.why.data, "kind": self.kind.data,
                "choices": self.choices.data or "", "required": self.required.data,
                "position": self.position.data}


class NewEnrolmentQuestionForm(CreateOnceForm, EnrolmentQuestionForm):
    """A new question: saved twice, it is added once."""


class EditionForm(KeptForm):
    """An edition's place, dates and trainers."""

    venue = StringField(
        _l("Venue"), validators=[Length(max=200)],
        description=_l("For example: Dienstencentrum De Vlinder."),
    )
    address = StringField(_l("Address"), validators=[Length(max=300)])
    place = StringField(_l("Place (town)"), validators=[Length(max=120)])
    what_to_bring = StringField(
        _l("What to bring (optional)"), validators=[Length(max=500)],
        description=_l("For example: comfortable shoes and your identity card."),
    )
    online_url = URLField(
        _l("Online link (optional)"), validators=[Optional(), Length(max=500)],
        description=_l("For online sessions: the link to the video call."),
    )
    starts_on = DayField(
        _l("First day"), validators=[InputRequired(_l("Enter the first day."))]
    )
    ends_on = DayField(
        _l("Last day"), validators=[Optional()],
        description=_l("Leave empty for a one-day edition."),
    )
    enrolment_opens_at = MomentField(
        _l("Enrolment opens (optional)"), validators=[Optional()],
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    enrolment_closes_at = MomentField(
        _l("Enrolment closes (optional)"), validators=[Optional()],
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    trainer_ids = MultiCheckboxField(_l("Trainers"), coerce=int, validate_choice=False)

    def service_fields(self) -> dict:
        """The fields as the catalogue services take them."""
        return {
            name: getattr(self, name).data
            for name in (
                "venue", "address", "place", "what_to_bring", "online_url", "starts_on", "ends_on",
                "enrolment_opens_at", "enrolment_closes_at", "trainer_ids",
            )
        }


class NewEditionForm(CreateOnceForm, EditionForm):
    """Capacity is set when an edition is created; later changes go through enrolment."""

    capacity = WholeNumberField(
        _l("Number of seats"),
        validators=[InputRequired(_l("Enter the number of seats."))],
        default=20,
    )


class SessionForm(KeptForm):
    """A session: a day, two times (Brussels) and a room."""

    day = DayField(_l("Day"), validators=[InputRequired(_l("Enter the day."))])
    starts = ClockField(_l("Starts at"), validators=[InputRequired(_l("Enter a start time, like 14:00."))])
    ends = ClockField(_l("Ends at"), validators=[InputRequired(_l("Enter an end time, like 16:00."))])
    title = StringField(_l("Title (optional)"), validators=[Length(max=200)])
    room = StringField(_l("Room"), validators=[Length(max=120)])

    def service_fields(self) -> dict:
        """The fields as the catalogue services take them."""
        return {name: getattr(self, name).data for name in ("day", "starts", "ends", "title", "room")}


class NewSessionForm(CreateOnceForm, SessionForm):
    """A new session: saved twice (a double click), it is added once."""


class PreviewSaveForm(CreateOnceForm, KeptForm):
    """A form that first shows what it will create ("preview"), then creates it ("save")."""

    preview = SubmitField(_l("Show the dates"))
    save = SubmitField(_l("Save"))

    def wants_preview(self) -> bool:
        return not self.save.data


class CopyEditionForm(PreviewSaveForm):
    """Copy an edition to a new first day."""

    starts_on = DayField(
        _l("First day of the new edition"),
        validators=[InputRequired(_l("Enter the first day of the new edition."))],
    )


class SeriesForm(PreviewSaveForm):
    """Add sessions that repeat every week or every month."""

    first_day = DayField(_l("Day of the first session"),
                         validators=[InputRequired(_l("Enter the day of the first session."))])
    starts = ClockField(_l("Starts at"), validators=[InputRequired(_l("Enter a start time, like 14:00."))])
    ends = ClockField(_l("Ends at"), validators=[InputRequired(_l("Enter an end time, like 16:00."))])
    every = RadioField(
        _l("Repeat"),
        choices=[SelectChoice("week", _l("Every week, on the same weekday")),
                 SelectChoice("month", _l("Every month, on the same weekday of the same week "
                                          "(for example every second Tuesday)"))],
        default="week",
        validators=[InputRequired(_l("Choose every week or every month."))],
        invalid_choice_message=_l("Choose every week or every month."),
    )
    count = WholeNumberField(_l("Number of sessions"),
                             validators=[InputRequired(_l("Enter the number of sessions."))])
    title = StringField(_l("Title (optional)"), validators=[Length(max=200)])
    room = StringField(_l("Room"), validators=[Length(max=120)])

    def service_fields(self) -> dict:
        """The fields as `repeat.plan_series` takes them."""
        names = ("first_day", "starts", "ends", "every", "count", "title", "room")
        return {name: getattr(self, name).data for name in names}
