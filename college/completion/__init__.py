"""Completion: the rule that decides when an enrolment is complete, and the engine that applies it."""
