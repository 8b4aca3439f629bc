"""Grading rules of quiz questions, free of the database so they can be tested exhaustively."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from college.learning.models import QuestionKind


def question_points(
    kind: QuestionKind, correct_ids: Collection[int], picked_ids: Collection[int]
) -> float:
    """Points (0..1) for one question: all or nothing, or partial credit for multiple choice."""
    correct = set(correct_ids)
    picked = set(picked_ids)
    if not correct:
        return 0.0
    if kind == QuestionKind.MULTIPLE:
        right = len(picked & correct)
        wrong = len(picked - correct)
        return max(right - wrong, 0) / len(correct)
    return 1.0 if picked == correct else 0.0


def score_pct(points: Iterable[float], question_count: int) -> float:
    """The attempt score as a percentage (0..100), rounded to one decimal."""
    if question_count <= 0:
        return 0.0
    total = sum(points)
    return round(min(max(total / question_count * 100, 0.0), 100.0), 1)
