"""What each dashboard figure means: one label and one definition per figure, in one place.

The page shows them under each table ("How we count"), the PDF report with it, the CSV export
as its own table and the API in its dashboard documents; the README repeats them. The code
that computes a figure says which key it computes, so a change of meaning is a change here.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString


@dataclass(frozen=True)
class Figure:
    """A figure's key (as in the API and the code), its label and what it counts."""

    key: str
    label: LazyString
    definition: LazyString


FIGURES: dict[str, Figure] = {
    figure.key: figure
    for figure in (
        # The cohort, and what the coordinator's figures count in it.
        Figure("cohort", _l("Cohort"), _l(
            "The organiser's editions whose first day falls in the chosen period (both days "
            "included); every figure is about these editions and their learners, whenever "
            "those enrolled, attended, completed or received their certificate.")),
        Figure("editions", _l("Editions"), _l("Editions of the cohort.")),
        Figure("capacity", _l("Seats offered"), _l(
            "The seats of the cohort's editions added up.")),
        Figure("seats_taken", _l("Seats taken"), _l(
            "Seats held now by enrolments (enrolled or completed), a companion's seat included.")),
        Figure("waitlisted", _l("Waiting list"), _l(
            "People on the waiting lists of the cohort's editions now.")),
        Figure("enrolled", _l("Enrolled"), _l(
            "Enrolments that hold a seat (enrolled or completed); cancelled enrolments and the "
            "waiting list are left out.")),
        Figure("took_part", _l("Took part"), _l(
            "Of those enrolled, the ones who were present or late at least once in a session of "
            "their edition, or who completed it.")),
        Figure("completed", _l("Completed"), _l(
            "Enrolments the completion engine marked completed: the course's rule is met and "
            "every session has ended.")),
        Figure("certified", _l("Certificate issued"), _l(
            "Of those who completed, the ones whose certificate has been issued.")),
        Figure("attended_marks", _l("Attended (marks)"), _l(
            "Marks 'present' or 'late' of enrolled learners in the sessions of the cohort.")),
        Figure("recorded_marks", _l("Recorded (marks)"), _l(
            "Marks 'present', 'late' or 'absent' of enrolled learners in the sessions of the "
            "cohort; 'excused' is left out.")),
        Figure("fill_rate", _l("Fill rate"), _l(
            "Seats taken (enrolments that hold a seat now) out of the seats offered.")),
        Figure("attendance_rate", _l("Attendance rate"), _l(
            "Marks 'present' or 'late' out of the marks 'present', 'late' or 'absent'.")),
        Figure("completion_rate", _l("Completion rate"), _l("Completed out of enrolled.")),
        Figure("reach", _l("People reached"), _l(
            "Distinct people per stage and kind (caregiver or professional): someone with two "
            "enrolments in the cohort counts once, in every stage one of them reached.")),
        Figure("new_learners", _l("New learners"), _l(
            "People enrolled in the cohort who held no seat in an edition of this organiser "
            "that started before the period.")),
        Figure("returning_learners", _l("Returning learners"), _l(
            "People enrolled in the cohort who held a seat in an edition of this organiser "
            "that started before the period.")),
        Figure("track", _l("Track"), _l(
            "The courses open to caregivers or to professionals; a course open to both counts "
            "in both tracks.")),
        Figure("month", _l("Month"), _l("The month of the edition's first day.")),
        # The trainer's dashboard of one edition: its funnel comes from the completion rule.
        Figure("attended_enough", _l("Attended enough"), _l(
            "Of those enrolled, the ones whose attendance meets the course's threshold: present "
            "or late out of the sessions they were not excused for, as the completion rule "
            "counts it (excused for every session is not enough).")),
        Figure("modules_done", _l("Modules done"), _l(
            "Of those, the ones who did every published module, or all of them when the course "
            "does not require modules.")),
        Figure("quiz_passed", _l("Quiz passed"), _l(
            "Of those, the ones who passed the quiz, or all of them when the course has no "
            "quiz.")),
        Figure("cannot_reach", _l("At risk: can no longer reach the attendance threshold"), _l(
            "Even attending every session not recorded yet would not meet the course's "
            "threshold (the completion rule's count).")),
        Figure("missed_in_a_row", _l("At risk: missed two sessions in a row"), _l(
            "Marked 'absent' in two sessions that follow each other; a signal for the trainer, "
            "not part of the completion rule.")),
        # A region's evaluation figures (college/evaluation/reports.py counts them).
        Figure("evaluations_invited", _l("Invited to evaluate"), _l(
            "Learners of the cohort's editions invited to evaluate their training.")),
        Figure("evaluations_answered", _l("Evaluations answered"), _l(
            "Of those invited, the ones who answered the evaluation (anonymously).")),
        Figure("evaluation_response_rate", _l("Response rate"), _l(
            "Evaluations answered out of learners invited.")),
        # A region's respite figures (college/respite/figures.py counts them per edition).
        Figure("respite_requests", _l("Respite requests"), _l(
            "Enrolments in the cohort's editions whose course offers respite that asked for "
            "respite care during the sessions.")),
        Figure("respite_arranged", _l("Respite arranged"), _l(
            "Of those requests, the ones with respite arranged for at least one session.")),
        Figure("respite_not_possible", _l("Respite not possible"), _l(
            "Of those requests, the ones for which respite was not possible for at least one "
            "session.")),
        Figure("respite_attendance_with", _l("Attendance with respite, in percent"), _l(
            "Present or late marks out of recorded marks of learners who asked for respite; "
            "withheld for fewer than five learners.")),
        Figure("respite_attendance_without", _l("Attendance without respite, in percent"), _l(
            "The same for the learners of those editions who did not ask for respite.")),
    )
}

#: The figures of the coordinator's tables (per course, per track, per month), in column order.
TABLE_FIGURES = ("editions", "capacity", "enrolled", "took_part", "completed", "certified",
                 "waitlisted", "fill_rate", "attendance_rate", "completion_rate")
#: The rates computed from the counted figures (`organiser.Figures` has a property for each).
RATE_FIGURES = ("fill_rate", "attendance_rate", "completion_rate")
#: The stages of the funnel of a cohort, and of reach.
FUNNEL = ("enrolled", "took_part", "completed", "certified")
#: The steps of an edition's funnel on the trainer's dashboard.
EDITION_FUNNEL = ("enrolled", "attended_enough", "modules_done", "quiz_passed", "completed",
                  "certified")
#: What the coordinator's page, report and export define, in the order they are explained.
ORGANISER_FIGURES = ("cohort", "editions", "capacity", "seats_taken", "waitlisted", "enrolled",
                     "took_part", "completed", "certified", "attended_marks", "recorded_marks",
                     *RATE_FIGURES, "reach", "new_learners", "returning_learners", "track",
                     "month")


def label(key: str) -> str:
    """The figure's label in the request's language."""
    return str(FIGURES[key].label)


def definitions(keys: tuple[str, ...] | list[str]) -> list[tuple[str, str, str]]:
    """(key, label, definition) of these figures, in the request's language."""
    return [(key, str(FIGURES[key].label), str(FIGURES[key].definition)) for key in keys]
