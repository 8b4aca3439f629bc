"""Enrolment: seats, the waiting list, enrolment on someone's behalf and notifications."""
