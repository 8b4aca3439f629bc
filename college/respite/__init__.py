"""Respite with the training: someone takes over the care while the caregiver learns. Asked with
the enrolment, arranged by the hub with its respite partners, counted on the dashboard."""
