"""Evaluation of a training: questionnaires, anonymous answers and their reports."""
